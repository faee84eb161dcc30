package org.zfsguard.rebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class BuildProgressTest {

    @Test
    void followsDkms3010OutputThroughThePhases() {
        BuildProgress p = new BuildProgress(4);
        assertThat(p.phase()).isEqualTo(BuildPhase.STARTING);
        assertThat(p.percent()).isZero();

        p.accept("Running the pre_build script:");
        p.accept("checking for gcc... gcc");
        assertThat(p.phase()).isEqualTo(BuildPhase.CONFIGURE);
        assertThat(p.percent()).isZero();

        p.accept("Building module:");
        p.accept("Cleaning build area...");
        assertThat(p.phase()).isEqualTo(BuildPhase.COMPILE);
        assertThat(p.percent()).isZero();

        p.accept("  CC [M]  /var/lib/dkms/zfs/2.4.0/build/module/zfs/arc.o");
        assertThat(p.percent()).isEqualTo(25);
        p.accept("  AS [M]  /var/lib/dkms/zfs/2.4.0/build/module/icp/asm-aarch64/sha2/sha256-armv8.o");
        p.accept("  CC [M]  module/zfs/dbuf.o");
        p.accept("  CC [M]  module/zfs/zio.o");
        assertThat(p.units()).isEqualTo(4);
        assertThat(p.percent()).isEqualTo(99);
        p.accept("  CC [M]  module/zfs/zil.o");
        assertThat(p.percent()).as("never 100 before install").isEqualTo(99);

        p.accept(" - Installation");
        assertThat(p.phase()).isEqualTo(BuildPhase.INSTALL);
        assertThat(p.percent()).isEqualTo(100);
    }

    @Test
    void recognisesDkms3InstallLines() {
        BuildProgress p = new BuildProgress(10);
        p.accept("Installing /lib/modules/6.1.0-26-arm64/updates/dkms/zfs.ko.xz");
        assertThat(p.phase()).isEqualTo(BuildPhase.INSTALL);
    }

    @Test
    void phasesNeverGoBack() {
        BuildProgress p = new BuildProgress(10);
        p.accept("  CC [M]  module/zfs/arc.o");
        p.accept("checking for something else... yes");
        assertThat(p.phase()).isEqualTo(BuildPhase.COMPILE);
        p.advance(BuildPhase.INITRAMFS);
        p.advance(BuildPhase.CONFIGURE);
        assertThat(p.phase()).isEqualTo(BuildPhase.INITRAMFS);
    }

    @Test
    void ignoresLinesThatOnlyLookSimilar() {
        BuildProgress p = new BuildProgress(10);
        p.accept("warning: CC [M] is not an object");
        p.accept("ACC [M]  x.o");
        assertThat(p.phase()).isEqualTo(BuildPhase.STARTING);
        p.accept("  CC [M]  module/zfs/arc.c");
        assertThat(p.units()).isZero();
    }

    @Test
    void countsUnitsOfAnEarlierLog() {
        assertThat(BuildProgress.countUnits(List.of("  CC [M]  a.o", "  LD [M]  zfs.o", "  AS [M]  b.o", "  CC      c.o",
                "make: Leaving directory"))).isEqualTo(3);
    }

    @Test
    void expectedUnitsMustBePositive() {
        assertThatThrownBy(() -> new BuildProgress(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
