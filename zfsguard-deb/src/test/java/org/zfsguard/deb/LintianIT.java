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
    void lintianFindsNoErrorsOrWarnings() {
        Exec.Result r = Exec.host(Duration.ofMinutes(10), "lintian", "--fail-on", "error,warning",
                "--display-info", pkg.deb().toString());
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout()).as(r.describe()).doesNotContainPattern("(?m)^[EW]: ");
        System.out.println("lintian on " + pkg.deb().getFileName() + ":\n" + r.stdout().strip());
    }

    @Test
    void controlFieldsSayWhatThePackageIs() {
        assertThat(field("Package")).isEqualTo("zfsguard");
        assertThat(field("Version")).isEqualTo(pkg.debVersion());
        assertThat(field("Architecture")).isEqualTo("all");
        assertThat(field("Section")).isEqualTo("admin");
        assertThat(field("Depends")).isEqualTo("default-jre-headless (>= 2:1.17) | java-runtime-headless (>= 17)");
        assertThat(Exec.host(Duration.ofMinutes(1), "dpkg-deb", "-I", pkg.deb().toString()).orFail().stdout())
                .contains(" Architecture: all").contains(" Section: admin");
    }

    private static String field(String name) {
        return Exec.host(Duration.ofMinutes(1), "dpkg-deb", "-f", pkg.deb().toString(), name).orFail().stdout().strip();
    }
}
