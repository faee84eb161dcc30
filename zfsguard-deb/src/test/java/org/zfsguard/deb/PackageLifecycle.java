package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Install, run, remove and purge the built package with real apt and dpkg in a fresh Debian 12
 * chroot of one architecture. Subclasses choose the architecture and may add scenarios.
 */
abstract class PackageLifecycle {

    static final String CACHE_DIR = "/var/cache/zfsguard";

    protected static BuiltPackage pkg;

    /** dpkg architecture of the chroot: amd64 or arm64. */
    abstract String arch();

    @BeforeAll
    static void hostAndPackageReady() {
        HostRequirements.requireRoot();
        pkg = BuiltPackage.fromBuild();
    }

    @Test
    void installsRunsRemovesAndPurgesWithoutLeavingAnythingBehind() {
        try (Chroot c = Chroot.bookworm(arch())) {
            c.copyIn(pkg.deb(), pkg.chrootPath());
            // The JRE is in the base already; the other dependencies and recommendations (the
            // Depends and Recommends fields LintianIT pins) come from Debian's archive first, so
            // that this is the system without zfsguard itself.
            c.runOk("apt-get", "install", "-y", "procps", "kmod", "zstd");
            SortedMap<String, Chroot.FileEntry> before = c.fileList();

            install(c);
            assertThat(status(c)).isEqualTo("install ok installed " + pkg.debVersion());
            Exec.Result version = assertVersionLine(c);
            assertThat(version.stderr()).as("JVM or launcher warnings on a healthy install").isEmpty();
            Exec.Result help = c.run("zfsguard", "--help");
            assertThat(help.exitCode()).as(help.describe()).isZero();
            assertThat(help.stdout()).as(help.describe()).contains("Usage:").contains("zfsguard");
            assertThat(help.stderr()).as(help.describe()).isEmpty();
            assertOneFreshArchive(c);
            assertThat(Files.isDirectory(c.hostPath("/var/lib/zfsguard"))).as("state directory").isTrue();

            c.runOk("apt-get", "remove", "-y", "zfsguard");
            assertThat(status(c)).isEqualTo("deinstall ok config-files " + pkg.debVersion());
            assertThat(c.hostPath("/usr/bin/zfsguard")).doesNotExist();
            assertThat(c.hostPath("/usr/share/zfsguard")).doesNotExist();
            assertThat(c.hostPath(CACHE_DIR)).as("caches go on remove").doesNotExist();
            assertThat(c.hostPath("/etc/zfsguard/zfsguard.conf")).as("conffile stays until purge").isRegularFile();

            c.runOk("apt-get", "purge", "-y", "zfsguard");
            Exec.Result gone = c.run("dpkg", "-s", "zfsguard");
            assertThat(gone.exitCode()).as(gone.describe()).isNotZero();
            assertThat(Chroot.differences(before, c.fileList()))
                    .as("file list of the chroot before install vs after purge")
                    .isEmpty();
        }
    }

    // ---- shared steps, also used by the scenarios of subclasses ---------------------------

    /** Copies the built .deb in and installs it the documented way: apt-get install ./x.deb. */
    static Exec.Result install(Chroot c) {
        c.copyIn(pkg.deb(), pkg.chrootPath());
        return c.runOk("apt-get", "install", "-y", pkg.chrootPath());
    }

    static String status(Chroot c) {
        return c.run("dpkg-query", "-W", "-f=${Status} ${Version}", "zfsguard").stdout();
    }

    /** {@code zfsguard --version} exits 0 and prints exactly the version line on stdout. */
    static Exec.Result assertVersionLine(Chroot c) {
        Exec.Result r = c.run("zfsguard", "--version");
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout()).as(r.describe()).isEqualTo(pkg.versionLine());
        return r;
    }

    /** postinst left exactly one non-empty archive, named for this package and a Java 17+ runtime. */
    static String assertOneFreshArchive(Chroot c) {
        List<String> entries = cacheEntries(c);
        assertThat(entries).as("contents of " + CACHE_DIR + " after postinst").hasSize(1);
        String archive = entries.get(0);
        assertThat(archive).matches(java.util.regex.Pattern.quote(CACHE_DIR + "/zfsguard-" + pkg.debVersion() + "-java-")
                + "(1[7-9]|[2-9][0-9])[0-9A-Za-z.+_-]*\\.jsa");
        assertThat(c.hostPath(archive)).isNotEmptyFile();
        return archive;
    }

    /** Everything in /var/cache/zfsguard, as paths inside the chroot. */
    static List<String> cacheEntries(Chroot c) {
        Path dir = c.hostPath(CACHE_DIR);
        List<String> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                found.add(CACHE_DIR + "/" + p.getFileName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        found.sort(null);
        return found;
    }
}
