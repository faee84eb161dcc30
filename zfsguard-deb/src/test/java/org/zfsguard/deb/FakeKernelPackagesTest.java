package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The fake packages are what the scenarios claim: dpkg-deb and zfsguard's reader agree on them. */
class FakeKernelPackagesTest {

    private static String field(Path deb, String name) {
        return Exec.host(Duration.ofMinutes(1), "dpkg-deb", "--field", deb.toString(), name).orFail().stdout().strip();
    }

    private static String contents(Path deb) {
        return Exec.host(Duration.ofMinutes(1), "dpkg-deb", "--contents", deb.toString()).orFail().stdout();
    }

    @Test
    void kernelImagesLookLikeArmbiansAndReadAsTheirRelease() throws Exception {
        Path old = FakeKernelPackages.currentImage(FakeKernelPackages.OLD_VERSION, FakeKernelPackages.OLD_K);
        Path upgrade = FakeKernelPackages.currentImage(FakeKernelPackages.NEW_VERSION, FakeKernelPackages.NEW_K);
        assertThat(field(old, "Package")).isEqualTo(field(upgrade, "Package")).isEqualTo("linux-image-current-rockchip64");
        assertThat(field(upgrade, "Version")).isEqualTo("25.11.2");
        assertThat(field(upgrade, "Architecture")).isEqualTo("all");
        assertThat(field(upgrade, "Armbian-Kernel-Version")).isEqualTo("6.12.58");
        assertThat(field(upgrade, "Armbian-Kernel-Version-Family")).isEqualTo(FakeKernelPackages.NEW_K);
        assertThat(field(upgrade, "Source")).isEqualTo("linux-6.12.58");
        assertThat(contents(upgrade)).contains("./boot/vmlinuz-6.12.58-current-rockchip64",
                "./lib/modules/6.12.58-current-rockchip64/kernel/drivers/dummy.ko",
                "./usr/lib/linux-image-6.12.58-current-rockchip64/dummy.dtb", "root/root");
        String postinst = Exec.host(Duration.ofMinutes(1), "dpkg-deb", "--info", upgrade.toString(), "postinst")
                .orFail().stdout();
        assertThat(postinst).contains("run-parts --report --exit-on-error --arg=6.12.58-current-rockchip64",
                "/etc/kernel/postinst.d", "ln -sf \"vmlinuz-6.12.58-current-rockchip64\" /boot/Image");

        DebPackage read = DebPackage.read(upgrade, "upgrade", DebLimits.DEFAULT, DebPackage.Scope.COMPLETE);
        assertThat(read.singleImage()).map(IncomingKernel::release).contains(FakeKernelPackages.NEW_K);
        assertThat(DebPackage.read(FakeKernelPackages.edgeImage()).singleImage()).map(IncomingKernel::release)
                .contains(FakeKernelPackages.EDGE_K);
    }

    @Test
    void headersAndZfsDkmsCarryWhatTheGateReads() throws Exception {
        Path headers = FakeKernelPackages.currentHeaders(FakeKernelPackages.OLD_VERSION, FakeKernelPackages.OLD_K);
        assertThat(contents(headers)).contains("./usr/src/linux-headers-6.12.57-current-rockchip64/include/generated/utsrelease.h",
                "./lib/modules/6.12.57-current-rockchip64/build -> /usr/src/linux-headers-6.12.57-current-rockchip64");
        assertThat(DebPackage.read(headers, "h", DebLimits.DEFAULT, DebPackage.Scope.COMPLETE).kernels())
                .anySatisfy(k -> {
                    assertThat(k.release()).isEqualTo(FakeKernelPackages.OLD_K);
                    assertThat(k.headers()).isTrue();
                });

        DebPackage zfs = DebPackage.read(FakeKernelPackages.zfsDkms(FakeKernelPackages.ZFS_OLD));
        assertThat(zfs.control().packageName()).isEqualTo("zfs-dkms");
        assertThat(zfs.zfsSource()).hasValueSatisfying(m -> {
            assertThat(m.version()).isEqualTo("2.4.0");
            assertThat(m.linuxMaximum()).hasToString("6.18");
        });
        assertThat(DebPackage.read(FakeKernelPackages.zfsDkms(FakeKernelPackages.ZFS_NEW)).zfsSource())
                .hasValueSatisfying(m -> assertThat(m.linuxMaximum()).hasToString("6.19"));
        assertThat(DebPackage.read(FakeKernelPackages.unrelated()).kernels()).isEmpty();
    }
}
