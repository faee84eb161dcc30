package org.zfsguard.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.testing.FixtureSystem;

class KernelHeadersTest {
    static final String K = "6.12.58-current-rockchip64";
    static final String OTHER = "6.12.57-current-rockchip64";

    @TempDir
    Path dir;
    @TempDir
    Path outside;

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
    void packageFromTheReleaseAloneFollowsTheDistribution(String release, String pkg) {
        assertThat(KernelHeaders.packageFor(KernelRelease.parse(release))).isEqualTo(pkg);
    }

    @ParameterizedTest
    @CsvSource({
        "linux-image-current-rockchip64, 6.12.58-current-rockchip64, linux-headers-current-rockchip64",
        "linux-image-6.1.0-56-arm64, 6.1.0-56-arm64, linux-headers-6.1.0-56-arm64",
        "linux-image-unsigned-6.8.0-31-generic, 6.8.0-31-generic, linux-headers-6.8.0-31-generic",
        // a Debian-style image package for an Armbian-looking release: the package name decides
        "linux-image-6.12.58-current-rockchip64, 6.12.58-current-rockchip64, linux-headers-6.12.58-current-rockchip64",
    })
    void packageFromTheImagePackageWhenItIsKnown(String image, String release, String pkg) {
        assertThat(KernelHeaders.packageFor(image, release)).isEqualTo(pkg);
    }

    @Test
    void presentThroughTheBuildLinkOrTheHeadersTreeButNeverOutsideTheRoot() throws Exception {
        Files.createDirectories(outside.resolve("include"));
        new FixtureSystem(dir).kernel(K, "linux-image-current-rockchip64").kernel(OTHER, "linux-image-current-rockchip64")
                .mkdir("/usr/src/linux-headers-" + K)
                .symlink("/lib/modules/" + OTHER + "/build", outside.toString());
        SystemRoot root = SystemRoot.at(dir);

        assertThat(KernelHeaders.present(root, KernelRelease.parse(K))).isTrue();
        // an absolute link target means this root's /: the host directory it names (with include/) is never looked at
        assertThat(KernelHeaders.present(root, KernelRelease.parse(OTHER))).isFalse();
    }

    @Test
    void presentThroughARelativeBuildLinkAndNotThroughALoop() throws Exception {
        new FixtureSystem(dir).kernel(K, "linux-image-current-rockchip64").kernel(OTHER, "linux-image-current-rockchip64")
                .mkdir("/usr/src/linux-headers-" + K + "-tree/include")
                .symlink("/lib/modules/" + K + "/build", "../../../usr/src/linux-headers-" + K + "-tree")
                .symlink("/lib/modules/" + OTHER + "/build", "build");
        SystemRoot root = SystemRoot.at(dir);

        assertThat(KernelHeaders.present(root, KernelRelease.parse(K))).isTrue();
        assertThat(KernelHeaders.present(root, KernelRelease.parse(OTHER))).isFalse();
    }
}
