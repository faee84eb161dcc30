package org.zfsguard.rebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.zfsguard.kernel.KernelSeries;

class TargetKernelTest {

    @ParameterizedTest
    @CsvSource({
        "6.12.58-current-rockchip64, linux-headers-current-rockchip64",
        "6.1.115-vendor-rk35xx, linux-headers-vendor-rk35xx",
        "6.18.1-edge-sunxi64, linux-headers-edge-sunxi64",
        "6.19.0-bleedingedge-rockchip64, linux-headers-bleedingedge-rockchip64",
        "5.10.160-legacy-rockchip-rk3588, linux-headers-legacy-rockchip-rk3588",
        "6.1.0-26-arm64, linux-headers-6.1.0-26-arm64",
        "6.8.0-45-generic, linux-headers-6.8.0-45-generic",
        "6.1.20-media, linux-headers-6.1.20-media",
        "6.6.51+rpt-rpi-v8, linux-headers-6.6.51+rpt-rpi-v8",
    })
    void headersPackageFollowsTheDistribution(String release, String pkg) {
        assertThat(TargetKernel.of(release).headersPackage()).isEqualTo(pkg);
    }

    @ParameterizedTest
    @CsvSource({
        "6.12.58-current-rockchip64, 6, 12",
        "6.1.0-26-arm64, 6, 1",
        "5.4-foo, 5, 4",
    })
    void linuxVersion(String release, int major, int minor) {
        assertThat(TargetKernel.of(release).linuxVersion()).contains(new KernelSeries(major, minor));
    }

    @ParameterizedTest
    @ValueSource(strings = {"vendor-kernel", "6-foo", "6.123456-x"})
    void noLinuxVersion(String release) {
        assertThat(TargetKernel.of(release).linuxVersion()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-6.1", "6.1 foo", "6.1;rm", "../../etc", "6.1..0", "6.1/x", "6.1\n", "$(id)"})
    void rejectsWhatIsNotARelease(String bad) {
        assertThatThrownBy(() -> TargetKernel.of(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not a kernel release");
    }

    @org.junit.jupiter.api.Test
    void rejectsOverlongAndNull() {
        assertThatThrownBy(() -> TargetKernel.of("6" + "a".repeat(128))).isInstanceOf(IllegalArgumentException.class);
        assertThat(TargetKernel.of("6" + "a".repeat(127)).release()).hasSize(128);
        assertThatThrownBy(() -> TargetKernel.of(null)).isInstanceOf(NullPointerException.class);
    }
}
