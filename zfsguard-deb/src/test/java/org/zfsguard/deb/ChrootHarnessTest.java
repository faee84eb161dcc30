package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The pure parts of the chroot harness; the rest is exercised by the *IT suites. */
class ChrootHarnessTest {

    private static final List<String> MOUNTINFO = List.of(
            "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw",
            "23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw",
            "90 22 0:50 / /var/tmp/zfsguard-chroot-amd64-1/root/proc rw - proc proc rw",
            "91 90 0:51 / /var/tmp/zfsguard-chroot-amd64-1/root/proc/sys/fs/binfmt_misc rw - binfmt_misc b rw",
            "92 22 0:52 / /var/tmp/zfsguard-chroot-amd64-1/with\\040space rw - tmpfs t rw",
            "93 22 0:53 / /var/tmp/zfsguard-chroot-amd64-10/root/proc rw - proc proc rw");

    @Test
    void findsMountsBelowADirectoryDeepestFirst() {
        assertThat(MountTable.mountsUnder(Path.of("/var/tmp/zfsguard-chroot-amd64-1"), MOUNTINFO)).containsExactly(
                Path.of("/var/tmp/zfsguard-chroot-amd64-1/root/proc/sys/fs/binfmt_misc"),
                Path.of("/var/tmp/zfsguard-chroot-amd64-1/root/proc"),
                Path.of("/var/tmp/zfsguard-chroot-amd64-1/with space"));
    }

    @Test
    void recipeKeyChangesWithEveryIngredient() {
        Chroot.Recipe base = new Chroot.Recipe("bookworm", "amd64", "minbase", List.of("openjdk-17-jre-headless"),
                Chroot.MIRROR);
        assertThat(base.key()).hasSize(16).isEqualTo(new Chroot.Recipe("bookworm", "amd64", "minbase",
                List.of("openjdk-17-jre-headless"), Chroot.MIRROR).key());
        assertThat(List.of(
                new Chroot.Recipe("trixie", "amd64", "minbase", base.include(), Chroot.MIRROR).key(),
                new Chroot.Recipe("bookworm", "arm64", "minbase", base.include(), Chroot.MIRROR).key(),
                new Chroot.Recipe("bookworm", "amd64", "buildd", base.include(), Chroot.MIRROR).key(),
                new Chroot.Recipe("bookworm", "amd64", "minbase", List.of(), Chroot.MIRROR).key(),
                new Chroot.Recipe("bookworm", "amd64", "minbase", base.include(), "http://example.org/debian").key()))
                .doesNotContain(base.key())
                .doesNotHaveDuplicates();
        assertThat(base.tarballName()).isEqualTo("bookworm-amd64-minbase-" + base.key() + ".tar");
    }

    @Test
    void debootstrapCommandCarriesTheRecipe() {
        Chroot.Recipe r = new Chroot.Recipe("bookworm", "arm64", "minbase", List.of("a", "b"), Chroot.MIRROR);
        assertThat(r.debootstrapCommand(Path.of("/var/tmp/x/root"))).containsExactly("debootstrap", "--variant=minbase",
                "--arch=arm64", "--include=a,b", "bookworm", "/var/tmp/x/root", Chroot.MIRROR);
    }

    @Test
    void binfmtEntryMustBeEnabledWithTheFixBinaryFlag() {
        String usable = "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: PF\noffset 0\n";
        assertThat(HostRequirements.binfmtEntryUsable(usable)).isTrue();
        assertThat(HostRequirements.binfmtEntryUsable(usable.replace("enabled", "disabled"))).isFalse();
        assertThat(HostRequirements.binfmtEntryUsable(usable.replace("flags: PF", "flags: P"))).isFalse();
        assertThat(HostRequirements.binfmtEntryUsable("(missing)")).isFalse();
    }

    @Test
    void volatilePathsAreWholeSubtreesOnly() {
        assertThat(Chroot.isVolatile("/proc")).isTrue();
        assertThat(Chroot.isVolatile("/var/log/apt/history.log")).isTrue();
        assertThat(Chroot.isVolatile("/var/lib/dpkg/status")).isTrue();
        assertThat(Chroot.isVolatile("/var/lib/dpkg/info/zfsguard.list")).isFalse();
        assertThat(Chroot.isVolatile("/processes")).isFalse();
        assertThat(Chroot.isVolatile("/var/lib/zfsguard")).isFalse();
    }

    @Test
    void differencesNameAddedRemovedAndChangedEntries() {
        var a = new Chroot.FileEntry("/a", 'f', 0644, 0, 0);
        var b = new Chroot.FileEntry("/b", 'd', 0755, 0, 0);
        var b2 = new Chroot.FileEntry("/b", 'd', 0700, 0, 0);
        var c = new Chroot.FileEntry("/c", 'l', 0777, 0, 0);
        assertThat(Chroot.differences(Map.of("/a", a, "/b", b), Map.of("/a", a, "/b", b))).isEmpty();
        assertThat(Chroot.differences(Map.of("/a", a, "/b", b), Map.of("/b", b2, "/c", c))).containsExactly(
                "- f 0644 0:0 /a", "~ d 0755 0:0 /b  ->  d 0700 0:0 /b", "+ l 0777 0:0 /c");
    }

    @Test
    void fileTypesFromModeBits() {
        assertThat(Chroot.typeOf(0040755)).isEqualTo('d');
        assertThat(Chroot.typeOf(0100644)).isEqualTo('f');
        assertThat(Chroot.typeOf(0120777)).isEqualTo('l');
        assertThat(Chroot.typeOf(0020666)).isEqualTo('c');
    }

    @Test
    void medianOfAnOddSeries() {
        assertThat(PackageInstallIT.median(List.of(9L, 1L, 5L, 3L, 7L))).isEqualTo(5L);
    }
}
