package org.zfsguard.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.zfsguard.kernel.KernelSeries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.zfsguard.kernel.KernelRelease;

class OpenZfsMetaTest {
    static final String META_2_1_11 = "Meta:          1\nName:          zfs\nBranch:        1.0\nVersion:       2.1.11\n"
            + "Release:       1\nRelease-Tags:  relext\nLicense:       CDDL\nAuthor:        OpenZFS\n"
            + "Linux-Maximum: 6.2\nLinux-Minimum: 3.10\n";

    @Test
    void parsesTheRealLayout() {
        OpenZfsMeta m = OpenZfsMeta.parse(META_2_1_11);
        assertThat(m).isEqualTo(new OpenZfsMeta("2.1.11", "1", new KernelSeries(3, 10), new KernelSeries(6, 2)));
        assertThat(m.fullVersion()).isEqualTo("2.1.11-1");
        assertThat(m.hasNineModules()).isTrue();
        assertThat(OpenZfsMeta.parse(META_2_1_11.replace("2.1.11", "2.2.0")).hasNineModules()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"6.2.16-amd64, true", "6.1.0-56-amd64, true", "6.3.0, false", "3.10.0, true", "3.9.9, false",
        "2.6.32, false", "10.0.0, false"})
    void supportsCompareMajorMinorOnly(String k, boolean supported) {
        assertThat(OpenZfsMeta.parse(META_2_1_11).supports(KernelRelease.parse(k))).isEqualTo(supported);
    }

    @Test
    void moduleVersionsMatchWithOrWithoutADistributionRelease() {
        OpenZfsMeta m = OpenZfsMeta.parse(META_2_1_11);
        assertThat(m.matchesModuleVersion("2.1.11")).isTrue();
        assertThat(m.matchesModuleVersion("2.1.11-1+deb12u1")).isTrue();
        assertThat(m.matchesModuleVersion("2.1.1-1")).isFalse();
        assertThat(m.matchesModuleVersion("2.1.110")).isFalse();
        assertThat(m.matchesModuleVersion(null)).isFalse();
    }

    @Test
    void garbageIsRejectedWithAReason() {
        assertThatThrownBy(() -> OpenZfsMeta.parse("")).hasMessage("no Version line");
        assertThatThrownBy(() -> OpenZfsMeta.parse("Version: abc\n")).hasMessageContaining("Version is not a version");
        assertThatThrownBy(() -> OpenZfsMeta.parse(META_2_1_11.replace("6.2", "6.x"))).hasMessageContaining("Linux-Maximum is not MAJOR.MINOR");
        assertThatThrownBy(() -> OpenZfsMeta.parse(META_2_1_11.replace("Linux-Minimum: 3.10\n", ""))).hasMessage("no Linux-Minimum line");
        assertThatThrownBy(() -> OpenZfsMeta.parse(META_2_1_11.replace("Release:       1", "Release: a b\u0001")))
                .hasMessageContaining("Release is not a release").hasMessageNotContaining("\u0001");
    }

    @Test
    void supportsComparesMajorMinorWithinTheRange() {
        OpenZfsMeta m = OpenZfsMeta.parse("Version: 2.4.0\nRelease: 1\nLinux-Minimum: 4.18\nLinux-Maximum: 6.18\n");
        assertThat(m.supports(new KernelSeries(6, 18))).isTrue();
        assertThat(m.supports(new KernelSeries(6, 19))).isFalse();
        assertThat(m.supports(new KernelSeries(4, 18))).isTrue();
        assertThat(m.supports(new KernelSeries(4, 17))).isFalse();
        assertThat(m.supports(new KernelSeries(7, 0))).isFalse();
        assertThat(OpenZfsMeta.parse("Version: 2.1.11\nRelease: 1+deb12u1\nLinux-Minimum: 3.10\nLinux-Maximum: 6.2\n")
                .release()).isEqualTo("1+deb12u1");
        assertThat(OpenZfsMeta.parse("Version: 2.1.11\nLinux-Minimum: 3.10\nLinux-Maximum: 6.2\n").release()).isNull();
    }

    @Test
    void kernelSeriesIsTheLeadingMajorMinor() {
        assertThat(KernelSeries.of("6.12.58-current-rockchip64")).contains(new KernelSeries(6, 12));
        assertThat(KernelSeries.of("6.1")).contains(new KernelSeries(6, 1));
        assertThat(KernelSeries.of("6.10.0-rc1")).contains(new KernelSeries(6, 10));
        assertThat(KernelSeries.of("6")).isEmpty();
        assertThat(KernelSeries.of("v6.1")).isEmpty();
        assertThat(KernelRelease.parse("6.12.58-current-rockchip64").series()).isEqualTo(new KernelSeries(6, 12));
    }

    @Test
    void inconsistentOrOversizedMetaIsRejected() {
        assertThatThrownBy(() -> OpenZfsMeta.parse("Version: 2.1.11\nLinux-Minimum: 6.2\nLinux-Maximum: 3.10\n"))
                .hasMessageContaining("is above Linux-Maximum");
        assertThatThrownBy(() -> OpenZfsMeta.parse("Version: 2.1.11\nLinux-Minimum: 3.10\nLinux-Maximum: 6.x\n"))
                .hasMessageContaining("Linux-Maximum is not MAJOR.MINOR: 6.x");
        // digit runs that overflow an int are not versions (hasNineModules parses them)
        assertThatThrownBy(() -> OpenZfsMeta.parse("Version: 99999999999.1\nLinux-Minimum: 3.10\nLinux-Maximum: 6.2\n"))
                .hasMessageContaining("Version is not a version");
        assertThatThrownBy(() -> OpenZfsMeta.parse("Version: 2.1\n" + "x".repeat(OpenZfsMeta.MAX_BYTES)))
                .hasMessageContaining("larger than");
    }
}
