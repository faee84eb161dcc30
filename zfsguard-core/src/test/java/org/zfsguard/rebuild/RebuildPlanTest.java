package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.zfsguard.rebuild.RebuildPlan.Build;
import org.zfsguard.rebuild.RebuildPlan.Refused;
import org.zfsguard.rebuild.RebuildPlan.Skipped;
import org.zfsguard.zfs.OpenZfsMeta;

class RebuildPlanTest {
    private static final OpenZfsMeta ZFS_240 = OpenZfsMeta.parse("Version: 2.4.0\nLinux-Minimum: 4.18\nLinux-Maximum: 6.18\n");
    private static final HostResources PLENTY = new HostResources(20_000, 3_000);
    private static final BuildRequirements NEEDS = BuildRequirements.defaults();

    private static KernelFacts kernel(String release, ModuleState state) {
        return new KernelFacts(KernelRelease.parse(release), true, true, false, state);
    }

    private static RebuildPlan.Step only(KernelFacts k, HostResources host, int jobs) {
        RebuildPlan plan = RebuildPlan.plan(List.of(k), ZFS_240, host, NEEDS, jobs, BuildTools.standard());
        assertThat(plan.steps()).hasSize(1);
        return plan.steps().get(0);
    }

    @Test
    void missingModuleIsBuiltWithoutForce() {
        var step = only(kernel("6.12.58-current-rockchip64", ModuleState.MISSING), PLENTY, 1);
        assertThat(step).isInstanceOfSatisfying(Build.class, b -> {
            assertThat(b.replacesModule()).isFalse();
            assertThat(b.invocation().force()).isFalse();
            assertThat(b.invocation().argv()).containsSubsequence("zfs/2.4.0", "-k", "6.12.58-current-rockchip64", "-j", "1");
        });
    }

    @Test
    void staleModuleIsReplacedWithForceAndBackup() {
        var step = only(kernel("6.12.58-current-rockchip64", ModuleState.STALE), PLENTY, 1);
        assertThat(step).isInstanceOfSatisfying(Build.class, b -> {
            assertThat(b.replacesModule()).isTrue();
            assertThat(b.invocation().argv()).endsWith("--force");
        });
    }

    @Test
    void currentModuleIsSkipped() {
        assertThat(only(kernel("6.12.58-current-rockchip64", ModuleState.CURRENT), PLENTY, 1))
                .isInstanceOf(Skipped.class);
    }

    @Test
    void notInstalledKernelIsNeverBuilt() {
        var k = new KernelFacts(KernelRelease.parse("6.12.59-current-rockchip64"), false, true, false, ModuleState.MISSING);
        assertThat(only(k, PLENTY, 1)).isInstanceOfSatisfying(Refused.class,
                r -> assertThat(r.reason()).isEqualTo("kernel 6.12.59-current-rockchip64 is not installed"));
    }

    @Test
    void missingHeadersNameTheArmbianPackage() {
        var k = new KernelFacts(KernelRelease.parse("6.12.58-current-rockchip64"), true, false, true, ModuleState.MISSING);
        assertThat(only(k, PLENTY, 1)).isInstanceOfSatisfying(Refused.class, r -> {
            assertThat(r.reason()).contains("headers").contains("/lib/modules/6.12.58-current-rockchip64/build");
            assertThat(r.fix()).isEqualTo("sudo apt install linux-headers-current-rockchip64");
        });
    }

    @Test
    void missingHeadersNameTheDebianPackage() {
        var k = new KernelFacts(KernelRelease.parse("6.1.0-26-arm64"), true, false, false, ModuleState.MISSING);
        assertThat(only(k, PLENTY, 1)).isInstanceOfSatisfying(Refused.class,
                r -> assertThat(r.fix()).isEqualTo("sudo apt install linux-headers-6.1.0-26-arm64"));
    }

    @Test
    void kernelNewerThanMetaMaximumIsRefused() {
        assertThat(only(kernel("6.19.1-edge-rockchip64", ModuleState.MISSING), PLENTY, 1))
                .isInstanceOfSatisfying(Refused.class, r -> {
                    assertThat(r.reason()).isEqualTo(
                            "Linux 6.19 (6.19.1-edge-rockchip64) is newer than ZFS 2.4.0 supports (Linux-Maximum 6.18)");
                    assertThat(r.fix()).contains("backports");
                });
    }

    @Test
    void kernelAtMetaMaximumIsBuilt() {
        assertThat(only(kernel("6.18.9-edge-rockchip64", ModuleState.MISSING), PLENTY, 1)).isInstanceOf(Build.class);
    }

    @Test
    void kernelOlderThanMetaMinimumIsRefused() {
        assertThat(only(kernel("4.14.1-legacy-rockchip64", ModuleState.MISSING), PLENTY, 1))
                .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.reason()).contains("older").contains("4.18"));
    }

    @Test
    void rangeIsCheckedBeforeHeadersBecauseHeadersWouldNotHelp() {
        var k = new KernelFacts(KernelRelease.parse("6.19.1-edge-rockchip64"), true, false, false, ModuleState.MISSING);
        assertThat(only(k, PLENTY, 1)).isInstanceOfSatisfying(Refused.class,
                r -> assertThat(r.reason()).contains("newer"));
    }

    @Test
    void lowDiskIsRefusedWithFigures() {
        assertThat(only(kernel("6.12.58-current-rockchip64", ModuleState.MISSING), new HostResources(767, 3000), 1))
                .isInstanceOfSatisfying(Refused.class,
                        r -> assertThat(r.reason()).isEqualTo("only 767 MiB free for /var/lib/dkms; a ZFS build needs 768 MiB"));
        assertThat(only(kernel("6.12.58-current-rockchip64", ModuleState.MISSING), new HostResources(768, 3000), 1))
                .isInstanceOf(Build.class);
    }

    @Test
    void lowMemoryScalesWithJobs() {
        HostResources host = new HostResources(20_000, 1000);
        assertThat(only(kernel("6.12.58-current-rockchip64", ModuleState.MISSING), host, 1)).isInstanceOf(Build.class);
        assertThat(only(kernel("6.12.58-current-rockchip64", ModuleState.MISSING), host, 2))
                .isInstanceOfSatisfying(Refused.class, r -> {
                    assertThat(r.reason()).isEqualTo(
                            "only 1000 MiB of memory available (MemAvailable + SwapFree); 2 jobs need 1024 MiB");
                    assertThat(r.fix()).contains("--jobs 1");
                });
    }

    @Test
    void bootKernelComesFirstOtherwiseOrderIsKept() {
        var a = kernel("6.12.57-current-rockchip64", ModuleState.STALE);
        var b = kernel("6.1.115-vendor-rk35xx", ModuleState.MISSING);
        var boot = new KernelFacts(KernelRelease.parse("6.12.58-current-rockchip64"), true, true, true, ModuleState.MISSING);
        RebuildPlan plan = RebuildPlan.plan(List.of(a, b, boot), ZFS_240, PLENTY, NEEDS, 1, BuildTools.standard());
        assertThat(plan.steps()).extracting(s -> s.kernel().text())
                .containsExactly("6.12.58-current-rockchip64", "6.12.57-current-rockchip64", "6.1.115-vendor-rk35xx");
    }

    @Test
    void dryRunRenderingShowsCommandsAndFixes() {
        var boot = new KernelFacts(KernelRelease.parse("6.12.58-current-rockchip64"), true, true, true, ModuleState.MISSING);
        var noHeaders = new KernelFacts(KernelRelease.parse("6.1.115-vendor-rk35xx"), true, false, false, ModuleState.MISSING);
        RebuildPlan plan = RebuildPlan.plan(List.of(noHeaders, boot), ZFS_240, PLENTY, NEEDS, 1, BuildTools.standard());
        assertThat(plan.render()).isEqualTo("""
                6.12.58-current-rockchip64: build ZFS 2.4.0 (no ZFS module)
                    parallel_jobs=1 ZFSGUARD_JOBS=1 TEST_JOBS=1 /usr/bin/nice -n 19 /usr/bin/ionice -c 3 /usr/sbin/dkms install zfs/2.4.0 -k 6.12.58-current-rockchip64 -j 1
                6.1.115-vendor-rk35xx: refused: the headers of 6.1.115-vendor-rk35xx are missing (/lib/modules/6.1.115-vendor-rk35xx/build)
                    next: sudo apt install linux-headers-vendor-rk35xx
                """);
        assertThat(plan.refusals()).hasSize(1);
    }

    @Test
    void emptyPlan() {
        RebuildPlan plan = RebuildPlan.plan(List.of(), ZFS_240, PLENTY, NEEDS, 1, BuildTools.standard());
        assertThat(plan.render()).startsWith("nothing to build");
    }

    @Test
    void meminfoParsing() {
        String meminfo = """
                MemTotal:        3867036 kB
                MemFree:          215340 kB
                MemAvailable:    1803236 kB
                SwapTotal:       1933512 kB
                SwapFree:        1048576 kB
                """;
        assertThat(HostResourceProbe.availableMemoryMiB(meminfo)).isEqualTo((1803236 + 1048576) / 1024);
        assertThat(HostResourceProbe.availableMemoryMiB("MemFree: 2048 kB\n")).isEqualTo(2);
        assertThat(HostResourceProbe.availableMemoryMiB("garbage")).isZero();
        assertThat(HostResourceProbe.availableMemoryMiB("MemAvailable: 99999999999999999999 kB\n")).isZero();
    }

    @Test
    void diskProbeFindsTheNearestExistingParent(@org.junit.jupiter.api.io.TempDir java.nio.file.Path fakeRoot)
            throws Exception {
        long free = new HostResourceProbe(org.zfsguard.system.SystemRoot.at(fakeRoot)).freeDiskMiB("/var/lib/dkms");
        assertThat(free).isPositive();
    }
}
