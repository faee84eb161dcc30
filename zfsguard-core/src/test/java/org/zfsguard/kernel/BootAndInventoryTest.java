package org.zfsguard.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileSystemLoopException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.dkms.DkmsTree;
import org.zfsguard.dpkg.PackageOwners;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.testing.FixtureSystem;

class BootAndInventoryTest {
    static final String A = "6.12.57-current-rockchip64";
    static final String B = "6.12.58-current-rockchip64";

    @TempDir
    Path dir;

    RootFiles files() {
        return new RootFiles(SystemRoot.at(dir));
    }

    NextBoot next() {
        RootFiles f = files();
        return NextBoot.decide(f, KernelInventory.scan(f, PackageOwners.read(f)));
    }

    @Test
    void bootImageLinkBeatsTheHighestVersion() {
        new FixtureSystem(dir).kernel(A, null).kernel(B, null).symlink("/boot/Image", "vmlinuz-" + A);
        NextBoot n = next();
        assertThat(n.release().text()).isEqualTo(A);
        assertThat(n.rule()).isEqualTo(NextBoot.Rule.BOOT_IMAGE_LINK);
        assertThat(n.detail()).isEqualTo("/boot/Image -> vmlinuz-" + A);
    }

    @Test
    void disagreeingUInitrdIsReported() {
        new FixtureSystem(dir).kernel(A, null).kernel(B, null).symlink("/boot/Image", "/boot/vmlinuz-" + B)
                .symlink("/boot/uInitrd", "uInitrd-" + A);
        NextBoot n = next();
        assertThat(n.release().text()).isEqualTo(B);
        assertThat(n.detail()).contains("/boot/uInitrd names " + A);
    }

    @Test
    void vfatImageFallsBackToTheUInitrdLink() {
        new FixtureSystem(dir).kernel(A, null).kernel(B, null).write("/boot/Image", "image")
                .symlink("/boot/uInitrd", "uInitrd-" + A);
        NextBoot n = next();
        assertThat(n.release().text()).isEqualTo(A);
        assertThat(n.rule()).isEqualTo(NextBoot.Rule.UINITRD_LINK);
    }

    @Test
    void vmlinuzLinkElseCannotTell() {
        FixtureSystem fx = new FixtureSystem(dir).kernel("6.1.0-9-amd64", null).kernel("6.1.0-10-amd64", null);
        assertThat(next().release()).isNull();
        fx.symlink("/boot/vmlinuz", "vmlinuz-6.1.0-9-amd64");
        assertThat(next().rule()).isEqualTo(NextBoot.Rule.VMLINUZ_LINK);
        assertThat(next().release().text()).isEqualTo("6.1.0-9-amd64");
    }

    @Test
    void linkToAnInvalidReleaseTellsWhy() {
        new FixtureSystem(dir).kernel(A, null).symlink("/boot/Image", "vmlinuz-6.1 0");
        NextBoot n = next();
        assertThat(n.release()).isNull();
        assertThat(n.detail()).contains("not a kernel release");
    }

    @Test
    void imageWithoutModulesIsStillAKernel() {
        new FixtureSystem(dir).write("/boot/vmlinuz-" + B, "img").mkdir("/lib/modules");
        RootFiles f = files();
        KernelInventory inv = KernelInventory.scan(f, PackageOwners.read(f));
        assertThat(inv.kernels()).singleElement().satisfies(k -> {
            assertThat(k.release().text()).isEqualTo(B);
            assertThat(k.modulesDir()).isNull();
            assertThat(k.image()).isEqualTo("/boot/vmlinuz-" + B);
        });
    }

    @Test
    void mergedUsrModulesAreFoundThroughTheLibLink() {
        FixtureSystem fx = new FixtureSystem(dir);
        fx.write("/usr/lib/modules/" + B + "/modules.dep", "").symlink("/lib", "usr/lib");
        RootFiles f = files();
        assertThat(KernelInventory.scan(f, PackageOwners.read(f)).kernels()).extracting(k -> k.release().text())
                .containsExactly(B);
    }

    @Test
    void rootFilesResolveEveryComponentInsideTheRoot() throws Exception {
        FixtureSystem fx = new FixtureSystem(dir);
        fx.symlink("/a", "/b").symlink("/b", "c/../../../../d").mkdir("/d").symlink("/loop", "loop");
        RootFiles f = files();
        assertThat(f.resolve("/a/x")).isEqualTo(dir.resolve("d/x"));
        assertThat(f.resolve("/../../etc")).isEqualTo(dir.resolve("etc"));
        assertThatThrownBy(() -> f.resolve("/loop/x")).isInstanceOf(FileSystemLoopException.class);
        assertThatThrownBy(() -> f.resolve("/x\u0000y")).hasMessageContaining("NUL");
    }

    @Test
    void dpkgListsNameOwnersAndUnpackedPackages() {
        new FixtureSystem(dir).kernel(B, "linux-image-current-rockchip64").appendList("zfs-dkms:arm64", "/.\n")
                .appendList("linux-modules-6.8.0-45-generic", "/lib/modules/6.8.0-45-generic\n/lib/modules/../../x\n");
        PackageOwners o = PackageOwners.read(files());
        assertThat(o.ownerOf(KernelRelease.parse(B))).isEqualTo("linux-image-current-rockchip64");
        assertThat(o.ownerOf(KernelRelease.parse("6.8.0-45-generic"))).isEqualTo("linux-modules-6.8.0-45-generic");
        assertThat(o.isUnpacked("zfs-dkms")).isTrue();
        assertThat(o.isUnpacked("zfs-initramfs")).isFalse();
    }

    @Test
    void dkmsTreeIsReadWithoutDkms() {
        new FixtureSystem(dir).dkmsTree("2.3.4", B, "aarch64", true).dkmsTree("2.3.4", A, "aarch64", false)
                .symlink("/var/lib/dkms/zfs/kernel-bad..name-aarch64", "2.3.4/x/aarch64");
        DkmsTree t = DkmsTree.read(files());
        assertThat(t.versions()).containsExactly("2.3.4");
        assertThat(t.installedFor(KernelRelease.parse(B))).isEqualTo("2.3.4");
        assertThat(t.installedFor(KernelRelease.parse(A))).isNull();
        assertThat(t.builtFor(KernelRelease.parse(A))).containsExactly("2.3.4");
        assertThat(t.installed()).hasSize(1);
    }
}
