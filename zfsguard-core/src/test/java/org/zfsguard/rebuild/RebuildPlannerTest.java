package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.testing.FixtureSystem;
import org.zfsguard.testing.ModuleFixtures.Arch;
import org.zfsguard.testing.ModuleFixtures.Compression;

/** Planning from fixture systems, and the plan as {@code --dry-run} prints it. */
class RebuildPlannerTest {
    static final String K = "6.12.58-current-rockchip64";
    static final String OTHER = "6.6.60-current-rockchip64";
    static final BuildTools TOOLS = new BuildTools("/usr/bin/nice", "/usr/bin/ionice", List.of("/usr/sbin/dkms"));

    @TempDir
    Path dir;
    @TempDir
    Path outside;

    FixtureSystem withHeaders(String k) {
        return new FixtureSystem(dir).kernel(k, "linux-image-current-rockchip64").mkdir("/usr/src/linux-headers-" + k + "/include")
                .symlink("/lib/modules/" + k + "/build", "/usr/src/linux-headers-" + k);
    }

    PlannedRebuild plan(String... named) throws RebuildException {
        return new RebuildPlanner(SystemRoot.at(dir), TOOLS).plan(
                java.util.Arrays.stream(named).map(KernelRelease::parse).toList(), 2);
    }

    @Test
    void aStaleModuleIsBackedUpFirstAndTheInitramfsRefreshedAfterwardsWhenZfsIsInIt() throws Exception {
        withHeaders(K).armbianBootLinks(K).meta("2.3.4", "1", "4.18", "6.15").packageInstalled("zfs-initramfs")
                .zfsModules(K, "updates/dkms", "2.3.1-1", OTHER, Compression.NONE, List.of("zfs", "spl"));

        PlannedRebuild p = plan();

        assertThat(p.hasWork()).isTrue();
        assertThat(p.refusedAny()).isFalse();
        assertThat(p.initramfs()).isTrue();
        assertThat(p.render()).isEqualTo(K + ": build ZFS 2.3.4 (replaces a stale ZFS module (backed up first))\n"
                + "    first: back up the boot set of " + K + " (zfsguard backup --kernel " + K + ")\n"
                + "    " + p.plan().builds().get(0).invocation().render() + "\n"
                + "    then: check that ZFS loads on " + K + ", else restore the backup\n"
                + "    then: /usr/sbin/chroot " + dir + " update-initramfs -u -k " + K
                + " (left out when the initramfs already holds the built zfs.ko, compared by content)\n");
        assertThat(p.plan().builds().get(0).invocation().render()).contains("--force").contains("-j 2");
    }

    @Test
    void aKernelWhoseInitramfsOnlyLacksZfsIsPlannedAsARefresh() throws Exception {
        FixtureSystem fx = withHeaders(K).armbianBootLinks(K).meta("2.3.4", "1", "4.18", "6.15").packageInstalled("zfs-initramfs")
                .zfsModules(K, "updates/dkms", "2.3.4-1", K, Compression.NONE, List.of("zfs", "spl"));
        byte[] initrd = FixtureSystem.initrdBytes(Arch.AARCH64, K, FixtureSystem.InitrdCompression.GZIP, false, null, K);
        fx.write("/boot/initrd.img-" + K, initrd).uInitrd("/boot/uInitrd-" + K, initrd);

        PlannedRebuild p = plan();

        assertThat(p.hasWork()).isTrue();
        assertThat(p.plan().builds()).isEmpty();
        assertThat(p.render()).isEqualTo(K + ": refresh the initramfs (the ZFS module is right, the initramfs lacks it)\n"
                + "    /usr/sbin/chroot " + dir + " update-initramfs -u -k " + K + "\n");
    }

    @Test
    void nothingToDoSaysSo() throws Exception {
        withHeaders(K).armbianBootLinks(K).meta("2.3.4", "1", "4.18", "6.15")
                .zfsModules(K, "updates/dkms", "2.3.4-1", K, Compression.NONE, List.of("zfs", "spl"));

        PlannedRebuild p = plan();

        assertThat(p.hasWork()).isFalse();
        assertThat(p.render()).isEqualTo("nothing to build: every kernel asked for has ZFS\n");
    }

    @Test
    void withoutAnOpenZfsSourceThereIsNothingToBuildFromAndTheFixIsToInstallIt() {
        withHeaders(K).armbianBootLinks(K);

        assertThatThrownBy(this::plan).isInstanceOfSatisfying(RebuildException.class, e -> {
            assertThat(e.getMessage()).startsWith("nothing to build from: ");
            assertThat(e.next()).isEqualTo("sudo apt install zfs-dkms");
        });
    }
    @Test
    void aRootWithoutProcHasItsMemoryUnchecked() throws Exception {
        withHeaders(K).armbianBootLinks(K).meta("2.3.4", "1", "4.18", "6.15");

        PlannedRebuild p = plan();

        assertThat(p.memoryUnchecked()).isTrue();
        assertThat(p.plan().builds()).hasSize(1);
    }
}
