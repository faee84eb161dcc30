package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/**
 * The class-data-sharing archive follows the Java runtime: a JRE package upgraded or
 * reinstalled with real apt fires zfsguard's file trigger on /usr/lib/jvm, and postinst makes
 * the archive again, which the launcher then uses. Needs root and Debian's archive.
 */
class JreUpgradeIT extends ChrootSuite {

    @Test
    void reinstallingTheJreMakesTheArchiveAgainAndTheLauncherUsesIt() throws IOException {
        try (Chroot c = Chroot.bookworm("amd64")) {
            PackageLifecycle.pkg = pkg;
            Scenarios.installZfsguard(c, pkg);
            String archive = PackageLifecycle.assertOneFreshArchive(c);

            // As after a JRE upgrade: the archive on disk was made for another runtime.
            Path stale = c.hostPath(PackageLifecycle.CACHE_DIR + "/zfsguard-" + pkg.debVersion() + "-java-17.0.0+1.jsa");
            Files.move(c.hostPath(archive), stale);
            Instant before = Instant.parse("2020-01-01T00:00:00Z");
            Files.setLastModifiedTime(stale, FileTime.from(before));

            c.runOk("apt-get", "update");
            Exec.Result reinstall = c.runOk("apt-get", "install", "-y", "--reinstall", "openjdk-17-jre-headless");
            assertThat(Scenarios.output(reinstall)).as(reinstall.describe()).contains("zfsguard");

            assertThat(PackageLifecycle.assertOneFreshArchive(c)).as("the archive after the JRE trigger").isEqualTo(archive);
            assertThat(stale).as("the archive of the old runtime").doesNotExist();
            assertThat(Files.getLastModifiedTime(c.hostPath(archive)).toInstant()).isAfter(before);

            Exec.Result logged = c.runOk("env", "ZFSGUARD_JAVA_OPTS=-Xlog:class+load=info:file=/root/classes.log",
                    "zfsguard", "--version");
            assertThat(logged.stdout()).isEqualTo(pkg.versionLine());
            String classes = Files.readString(c.hostPath("/root/classes.log"));
            assertThat(classes.lines().filter(l -> l.contains(" org.zfsguard.cli.Main ")))
                    .as("how org.zfsguard.cli.Main was loaded after the trigger")
                    .singleElement().asString().contains("source: shared objects file (top)");
        }
    }
}
