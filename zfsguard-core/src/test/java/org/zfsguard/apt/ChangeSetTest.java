package org.zfsguard.apt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.zfsguard.apt.PackageChange.Kind;

class ChangeSetTest {
    static ChangeSet of(String stream) throws Exception {
        return ChangeSet.of(Streams.parsed(stream), WatchListTest.shipped());
    }

    static ChangeSet ofLines(String lines) throws Exception {
        HookStream s = HookStream.parse(("VERSION 3\nA=1\n\n" + lines).getBytes(StandardCharsets.UTF_8));
        return ChangeSet.of(s, WatchListTest.shipped());
    }

    @Test
    void stream01InstallsAKernelAndZfsDkms() throws Exception {
        ChangeSet c = of("01-install-kernel-and-zfs-dkms.v3");
        assertThat(c.nothingWatched()).isFalse();
        assertThat(c.all()).hasSize(2);
        assertThat(c.installedOrUpgraded()).extracting(PackageChange::name)
                .containsExactly("linux-image-current-rockchip64", "zfs-dkms");
        assertThat(c.removed()).isEmpty();
        PackageChange kernel = c.find("linux-image-current-rockchip64").orElseThrow();
        assertThat(kernel.kind()).isEqualTo(Kind.INSTALL);
        assertThat(kernel.role()).isEqualTo(PackageRole.KERNEL_IMAGE);
        assertThat(kernel.debPath()).contains("/tmp/linux-image-current-rockchip64_25.11.1_all.deb");
        assertThat(kernel.isInPlaceKernelUpgrade()).isFalse();
        assertThat(c.kernelImages()).containsExactly(kernel);
        assertThat(c.openZfs()).extracting(PackageChange::name).containsExactly("zfs-dkms");
        assertThat(c.openZfs().get(0).newVersion()).contains("2.4.0-1");
        assertThat(c.inPlaceKernelUpgrades()).isEmpty();
    }

    @Test
    void stream02IsAnInPlaceKernelUpgrade() throws Exception {
        ChangeSet c = of("02-armbian-in-place-kernel-upgrade.v3");
        assertThat(c.all()).hasSize(1);
        PackageChange k = c.all().get(0);
        assertThat(k.kind()).isEqualTo(Kind.UPGRADE);
        assertThat(k.oldVersion()).contains("25.11.1");
        assertThat(k.newVersion()).contains("25.11.2");
        assertThat(k.isInPlaceKernelUpgrade()).isTrue();
        assertThat(c.inPlaceKernelUpgrades()).containsExactly(k);
        assertThat(c.openZfs()).isEmpty();
    }

    @Test
    void stream03WatchesNothing() throws Exception {
        ChangeSet c = of("03-unrelated-package.v3");
        assertThat(c.nothingWatched()).isTrue();
        assertThat(c.watched()).isEmpty();
        assertThat(c.installedOrUpgraded()).isEmpty();
        assertThat(c.removed()).isEmpty();
        assertThat(c.kernelImages()).isEmpty();
        assertThat(c.all()).extracting(PackageChange::name).containsExactly("sysstat-standin");
        assertThat(c.all().get(0).role()).isEqualTo(PackageRole.OTHER);
    }

    @Test
    void stream04RemovesTheKernelAndIgnoresTheUnrelatedPackage() throws Exception {
        ChangeSet c = of("04-remove-kernel-and-unrelated.v3");
        assertThat(c.removed()).extracting(PackageChange::name).containsExactly("linux-image-current-rockchip64");
        PackageChange k = c.removed().get(0);
        assertThat(k.kind()).isEqualTo(Kind.REMOVE);
        assertThat(k.oldVersion()).contains("25.11.2");
        assertThat(k.newVersion()).isEmpty();
        assertThat(k.installedAfter()).isFalse();
        assertThat(k.isInPlaceKernelUpgrade()).isFalse();
        assertThat(c.find("sysstat-standin").orElseThrow().watched()).isFalse();
    }

    @Test
    void downgradeReinstallAndConfigureOnly() throws Exception {
        ChangeSet c = ofLines(
                "zfs-dkms 2.4.0-1 all none > 2.3.2-1 all none /var/cache/apt/archives/zfs-dkms_2.3.2-1_all.deb\n"
                + "dkms 3.0.10-8 all none = 3.0.10-8 all none /var/cache/apt/archives/dkms_3.0.10-8_all.deb\n"
                + "initramfs-tools 0.142 all none < 0.143 all none **CONFIGURE**\n"
                + "linux-headers-current-rockchip64 - - none < 25.11.2 arm64 none **ERROR**\n");
        assertThat(c.find("zfs-dkms").orElseThrow().kind()).isEqualTo(Kind.DOWNGRADE);
        assertThat(c.find("dkms").orElseThrow().kind()).isEqualTo(Kind.REINSTALL);
        assertThat(c.find("initramfs-tools").orElseThrow().kind()).isEqualTo(Kind.CONFIGURE_ONLY);
        PackageChange headers = c.find("linux-headers-current-rockchip64").orElseThrow();
        assertThat(headers.kind()).isEqualTo(Kind.INSTALL);
        assertThat(headers.debPath()).isEmpty();
        assertThat(headers.role()).isEqualTo(PackageRole.KERNEL_HEADERS);
    }

    @Test
    void removedAndInstalledAgainInOneRunCountsAsInstalled() throws Exception {
        ChangeSet c = ofLines(
                "zfs-dkms 2.3.2-1 all none > - - none **REMOVE**\n"
                + "zfs-dkms - - none < 2.4.0-1 all none /var/cache/apt/archives/zfs-dkms_2.4.0-1_all.deb\n"
                + "zfs-dkms - - none < 2.4.0-1 all none **CONFIGURE**\n");
        PackageChange z = c.find("zfs-dkms").orElseThrow();
        assertThat(z.installedAfter()).isTrue();
        assertThat(z.newVersion()).contains("2.4.0-1");
        assertThat(c.removed()).isEmpty();
    }

    @Test
    void debianVersionedKernelUpgradedUnderTheSameAbiNameIsInPlace() throws Exception {
        ChangeSet c = ofLines("linux-image-6.1.0-56-arm64 6.1.158-1 arm64 none < 6.1.160-1 arm64 none "
                + "/var/cache/apt/archives/linux-image-6.1.0-56-arm64_6.1.160-1_arm64.deb\n"
                + "linux-image-arm64 6.1.158-1 arm64 none < 6.1.160-1 arm64 none /var/cache/apt/archives/m.deb\n");
        assertThat(c.inPlaceKernelUpgrades()).extracting(PackageChange::name).containsExactly("linux-image-6.1.0-56-arm64");
        assertThat(c.find("linux-image-arm64").orElseThrow().role()).isEqualTo(PackageRole.KERNEL_METAPACKAGE);
        assertThat(c.kernelImages()).hasSize(1);
    }

    @ParameterizedTest
    @CsvSource({
        "linux-image-current-rockchip64, KERNEL_IMAGE",
        "linux-image-vendor-rk35xx, KERNEL_IMAGE",
        "linux-image-bleedingedge-rockchip64, KERNEL_IMAGE",
        "linux-image-6.1.0-56-arm64, KERNEL_IMAGE",
        "linux-image-unsigned-6.8.0-31-generic, KERNEL_IMAGE",
        "linux-image-6.1.0-56-arm64-dbg, KERNEL_METAPACKAGE",
        "linux-image-arm64, KERNEL_METAPACKAGE",
        "linux-image-generic, KERNEL_METAPACKAGE",
        "linux-image-generic-hwe-24.04, KERNEL_METAPACKAGE",
        "linux-image-current, KERNEL_METAPACKAGE",
        "linux-headers-current-rockchip64, KERNEL_HEADERS",
        "linux-modules-extra-6.8.0-31-generic, KERNEL_MODULES",
        "linux-dtb-current-rockchip64, DEVICE_TREE",
        "zfs-dkms, OPENZFS",
        "zfsutils-linux, OPENZFS",
        "dkms, BUILD_TOOLING",
        "linux-kbuild-6.1, BUILD_TOOLING",
        "linux-libc-dev, OTHER",
        "sysstat-standin, OTHER"})
    void rolesFromNames(String name, PackageRole role) {
        assertThat(PackageRole.of(name)).isEqualTo(role);
    }

    @Test
    void kernelReleaseFromVersionedNamesOnly() {
        assertThat(PackageRole.kernelRelease("linux-image-6.1.0-56-arm64")).contains("6.1.0-56-arm64");
        assertThat(PackageRole.kernelRelease("linux-image-unsigned-6.8.0-31-generic")).contains("6.8.0-31-generic");
        assertThat(PackageRole.kernelRelease("linux-modules-extra-6.8.0-31-generic")).contains("6.8.0-31-generic");
        assertThat(PackageRole.kernelRelease("linux-modules-6.8.0-31-generic")).contains("6.8.0-31-generic");
        assertThat(PackageRole.kernelRelease("linux-image-current-rockchip64")).isEqualTo(Optional.empty());
        assertThat(PackageRole.kernelRelease("linux-image-6.1.0-56-arm64-dbg")).isEmpty();
        assertThat(PackageRole.kernelRelease("linux-headers-6.1.0-56-arm64")).isEmpty();
    }
}
