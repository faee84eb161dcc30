package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.readiness.ReadinessEngine;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.testing.FixtureSystem;
import org.zfsguard.testing.ModuleFixtures.Compression;

/** Which kernels a rebuild is about, from readiness reports of fixture systems. */
class RebuildTargetsTest {
    static final String NEXT = "6.12.58-current-rockchip64";
    static final String OLD = "6.6.60-current-rockchip64";
    static final String EDGE = "6.16.1-edge-rockchip64";
    static final List<String> TWO = List.of("zfs", "spl");

    @TempDir
    Path root;

    ReadinessReport report() {
        return new ReadinessEngine(SystemRoot.at(root)).evaluate();
    }

    @Test
    void everyInstalledKernelThatIsNotOkWithTheNextBootKernelFirst() {
        new FixtureSystem(root).kernel(OLD, "linux-image-current-rockchip64")
                .kernel(NEXT, "linux-image-current-rockchip64").armbianBootLinks(NEXT)
                .meta("2.3.4", "1", "4.18", "6.15");

        RebuildTargets t = RebuildTargets.of(report(), List.of(), k -> k.text().equals(NEXT));

        assertThat(t.build()).extracting(f -> f.kernel().text()).containsExactly(NEXT, OLD);
        assertThat(t.build().get(0)).isEqualTo(new KernelFacts(KernelRelease.parse(NEXT), true, true, true, ModuleState.MISSING));
        assertThat(t.build().get(1).headersPresent()).isFalse();
        assertThat(t.refused()).isEmpty();
        assertThat(t.initramfsOnly()).isEmpty();
    }

    @Test
    void okKernelsAreLeftOutUnlessNamedAndThenPlannedAsCurrent() {
        new FixtureSystem(root).kernel(NEXT, "linux-image-current-rockchip64").armbianBootLinks(NEXT)
                .meta("2.3.4", "1", "4.18", "6.15").zfsModules(NEXT, "updates/dkms", "2.3.4-1", NEXT, Compression.NONE, TWO);

        assertThat(RebuildTargets.of(report(), List.of(), k -> true).build()).isEmpty();
        assertThat(RebuildTargets.of(report(), List.of(KernelRelease.parse(NEXT)), k -> true).build())
                .extracting(KernelFacts::module).containsExactly(ModuleState.CURRENT);
    }

    @Test
    void aStaleModuleIsPlannedAsStale() {
        new FixtureSystem(root).kernel(NEXT, "linux-image-current-rockchip64").armbianBootLinks(NEXT)
                .meta("2.3.4", "1", "4.18", "6.15").zfsModules(NEXT, "updates/dkms", "2.3.4-1", OLD, Compression.NONE, TWO);

        assertThat(RebuildTargets.of(report(), List.of(), k -> true).build())
                .extracting(KernelFacts::module).containsExactly(ModuleState.STALE);
    }

    @Test
    void aNamedKernelThatIsNotInstalledIsPlannedAsNotInstalledAndNamedTwiceOnce() {
        new FixtureSystem(root).kernel(NEXT, "linux-image-current-rockchip64").armbianBootLinks(NEXT)
                .meta("2.3.4", "1", "4.18", "6.15");

        RebuildTargets t = RebuildTargets.of(report(),
                List.of(KernelRelease.parse("6.1.0-99-arm64"), KernelRelease.parse(NEXT), KernelRelease.parse(NEXT)), k -> false);

        assertThat(t.build()).containsExactly(
                new KernelFacts(KernelRelease.parse("6.1.0-99-arm64"), false, false, false, ModuleState.MISSING),
                new KernelFacts(KernelRelease.parse(NEXT), true, false, true, ModuleState.MISSING));
    }

    @Test
    void aKernelOutsideTheSupportedRangeIsRefusedFromItsVerdictWithTheFix() {
        new FixtureSystem(root).kernel(EDGE, "linux-image-edge-rockchip64").armbianBootLinks(EDGE)
                .meta("2.3.4", "1", "4.18", "6.15");

        RebuildTargets t = RebuildTargets.of(report(), List.of(), k -> true);

        assertThat(t.build()).isEmpty();
        assertThat(t.refused()).singleElement().isInstanceOfSatisfying(RebuildPlan.Refused.class, r -> {
            assertThat(r.kernel().text()).isEqualTo(EDGE);
            assertThat(r.reason()).contains("6.15");
            assertThat(r.fix()).isEqualTo(RebuildTargets.UNSUPPORTED_FIX);
        });
    }

    @Test
    void aRightModuleMissingFromTheInitramfsNeedsOnlyAFreshInitramfs() {
        FixtureSystem fx = new FixtureSystem(root).kernel(NEXT, "linux-image-current-rockchip64").armbianBootLinks(NEXT)
                .meta("2.3.4", "1", "4.18", "6.15").zfsModules(NEXT, "updates/dkms", "2.3.4-1", NEXT, Compression.NONE, TWO)
                .packageInstalled("zfs-initramfs");
        byte[] initrd = FixtureSystem.initrdBytes(org.zfsguard.testing.ModuleFixtures.Arch.AARCH64, NEXT,
                FixtureSystem.InitrdCompression.GZIP, false, null, NEXT);
        fx.write("/boot/initrd.img-" + NEXT, initrd).uInitrd("/boot/uInitrd-" + NEXT, initrd);

        RebuildTargets t = RebuildTargets.of(report(), List.of(), k -> true);

        assertThat(t.initramfsOnly()).containsExactly(KernelRelease.parse(NEXT));
        assertThat(t.build()).isEmpty();
    }
}
