package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.zfsguard.deb.FakeKernelPackages.EDGE_K;
import static org.zfsguard.deb.FakeKernelPackages.OLD_K;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.zfsguard.testing.FixtureSystem;
import org.zfsguard.testing.ModuleFixtures;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * zfsguard's own ELF and initramfs readers against Debian's tools on the same files: what
 * {@code zfsguard status --json} says about a module's vermagic and about the zfs.ko inside an
 * initrd must agree with kmod's {@code modinfo} and initramfs-tools' {@code lsinitramfs} /
 * {@code unmkinitramfs}. Kernels are the FAKE packages of {@link FakeKernelPackages}; the
 * modules and initrds are {@link FixtureSystem} fixtures (real ELF, real cpio, gzip and xz).
 */
class InitramfsCrossCheckIT extends ChrootSuite {

    @Test
    void statusAgreesWithModinfoAndLsinitramfs() {
        try (Chroot c = Chroot.bookworm("amd64")) {
            List<String> debs = FakeKernelPackages.copyIn(c, FakeKernelPackages.zfsDkms(FakeKernelPackages.ZFS_NEW),
                    FakeKernelPackages.currentImage(FakeKernelPackages.OLD_VERSION, OLD_K), FakeKernelPackages.edgeImage());
            c.runOk("apt-get", "update", "-q");
            List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends",
                    "kmod", "initramfs-tools-core", "xz-utils"));
            install.addAll(debs);
            c.runOk(install.toArray(String[]::new));
            FakeKernelPackages.dkmsBuilt(c, OLD_K, FakeKernelPackages.ZFS_NEW);
            FakeKernelPackages.dkmsBuilt(c, EDGE_K, FakeKernelPackages.ZFS_NEW);
            FixtureSystem fs = new FixtureSystem(c.root()).arch(ModuleFixtures.Arch.X86_64);
            // OpenZFS 2.4.1 supports both kernels, so the verdicts rest on the modules and initrds alone.
            // The next boot kernel's initrd is current; the edge kernel's carries a stale zfs.ko built for the other one.
            fs.initrd("/boot/initrd.img-" + OLD_K, OLD_K, FixtureSystem.InitrdCompression.GZIP, true, "2.4.1-1", OLD_K);
            fs.initrd("/boot/initrd.img-" + EDGE_K, EDGE_K, FixtureSystem.InitrdCompression.XZ, false, "2.4.1-1", OLD_K);
            c.runOk("ln", "-sfn", "vmlinuz-" + OLD_K, "/boot/Image");
            Scenarios.installZfsguard(c, pkg);

            JsonObject status = Scenarios.statusJson(c);
            assertThat(status.getAsJsonObject("nextBoot").get("kernel").getAsString()).isEqualTo(OLD_K);
            assertThat(status.getAsJsonObject("initramfs").get("required").getAsBoolean()).as(status.toString()).isTrue();

            for (String k : List.of(OLD_K, EDGE_K)) {
                JsonObject kernel = Scenarios.kernelIn(status, k);
                String onDisk = "/lib/modules/" + k + "/updates/dkms/zfs.ko";
                String modinfo = c.runOk("modinfo", "-F", "vermagic", onDisk).stdout().strip().split(" ")[0];
                assertThat(modinfo).isEqualTo(k);
                assertThat(text(kernel.getAsJsonObject("zfs").get("vermagic"))).as(kernel.toString()).isEqualTo(modinfo);

                String initrd = "/boot/initrd.img-" + k;
                List<String> listed = c.runOk("lsinitramfs", initrd).stdout().lines()
                        .filter(l -> l.endsWith("/updates/dkms/zfs.ko")).toList();
                assertThat(listed).as("lsinitramfs " + initrd).singleElement().asString().contains("lib/modules/" + k + "/");
                String x = "/root/unpacked-" + k;
                c.runOk("unmkinitramfs", initrd, x);
                String main = c.hostPath(x + "/main").toFile().isDirectory() ? x + "/main" : x;
                String packed = c.runOk("modinfo", "-F", "vermagic", main + "/" + listed.get(0)).stdout().strip()
                        .split(" ")[0];
                JsonObject i = kernel.getAsJsonObject("initramfs");
                assertThat(text(i.get("state"))).as(kernel.toString()).isEqualTo("PRESENT");
                assertThat(text(i.get("vermagic"))).as(kernel.toString()).isEqualTo(packed);
                String packedVersion = c.runOk("modinfo", "-F", "version", main + "/" + listed.get(0)).stdout().strip();
                assertThat(text(i.get("version"))).as(kernel.toString()).isEqualTo(packedVersion);
            }
            assertThat(Scenarios.kernelIn(status, OLD_K).get("verdict").getAsString()).isEqualTo("OK");
            assertThat(Scenarios.kernelIn(status, EDGE_K).get("verdict").getAsString()).isNotEqualTo("OK");
        }
    }

    private static String text(JsonElement e) {
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }
}
