package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The built .deb as Debian's tools see it, without installing it. */
class LintianIT {

    private static BuiltPackage pkg;

    @BeforeAll
    static void packageBuilt() {
        HostRequirements.requireTools("lintian", "dpkg-deb");
        pkg = BuiltPackage.fromBuild();
    }

    @Test
    void lintianFindsNothingAtAnyLevel() {
        Exec.Result r = Exec.host(Duration.ofMinutes(10), "lintian", "--pedantic", "-I", "-E",
                "--fail-on", "error,warning,info,pedantic,experimental", pkg.deb().toString());
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout()).as(r.describe()).doesNotContainPattern("(?m)^[EWIPXO]: ");
        System.out.println("lintian --pedantic -I -E on " + pkg.deb().getFileName() + ":\n" + r.stdout().strip());
    }

    /** Each override in the shipped overrides file follows a comment that says why. */
    @Test
    void everyLintianOverrideIsJustified() throws java.io.IOException {
        java.util.List<String> lines = java.nio.file.Files.readAllLines(
                java.nio.file.Path.of(System.getProperty("zfsguard.sourceRoot"), "debian-resources", "lintian", "zfsguard"));
        assertThat(lines).as("overrides").anyMatch(l -> l.startsWith("zfsguard: "));
        String previous = "";
        for (String line : lines) {
            if (line.startsWith("zfsguard: ")) {
                assertThat(previous).as("line before the override '" + line + "'").matches("#.*|zfsguard: .*");
            }
            previous = line;
        }
        assertThat(lines.get(0)).startsWith("# ");
    }

    @Test
    void controlFieldsSayWhatThePackageIs() {
        assertThat(field("Package")).isEqualTo("zfsguard");
        assertThat(field("Version")).isEqualTo(pkg.debVersion());
        assertThat(field("Architecture")).isEqualTo("all");
        assertThat(field("Section")).isEqualTo("admin");
        assertThat(field("Depends")).isEqualTo("default-jre-headless (>= 2:1.17) | java-runtime-headless (>= 17), procps, kmod");
        assertThat(field("Recommends")).isEqualTo("zstd");
        assertThat(field("Suggests")).isEqualTo("zfs-dkms, molly-guard");
        assertThat(field("Homepage")).as("jdeb keeps it").isEqualTo("https://zfsguard.org/");
        assertThat(pkg.debVersion()).as("a version no upload to Debian's archive can carry").matches("[0-9.]+-0zfsguard[0-9]+");
        assertThat(Exec.host(Duration.ofMinutes(1), "dpkg-deb", "-I", pkg.deb().toString()).orFail().stdout())
                .contains(" Architecture: all").contains(" Section: admin");
    }

    private static String field(String name) {
        return Exec.host(Duration.ofMinutes(1), "dpkg-deb", "-f", pkg.deb().toString(), name).orFail().stdout().strip();
    }
}
