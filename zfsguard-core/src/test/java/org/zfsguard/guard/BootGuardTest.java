package org.zfsguard.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.zfsguard.guard.BootGuard.Backup;
import org.zfsguard.guard.BootGuard.Decision;
import org.zfsguard.guard.BootGuard.Hold;
import org.zfsguard.guard.BootGuard.Input;
import org.zfsguard.guard.BootGuard.Keep;
import org.zfsguard.guard.BootGuard.Mode;
import org.zfsguard.guard.BootGuard.NoSafeKernel;
import org.zfsguard.guard.BootGuard.Trial;
import org.zfsguard.readiness.Verdict;

class BootGuardTest {
    private static final String OLD = "6.12.57-current-rockchip64";
    private static final String NEW = "6.12.58-current-rockchip64";
    private static final String NEWER = "6.12.59-current-rockchip64";
    private static final String DEB_OLD = "6.1.0-40-amd64";
    private static final String DEB_NEW = "6.1.0-41-amd64";

    private static Map<String, Verdict> verdicts(Object... kv) {
        Map<String, Verdict> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Verdict) kv[i + 1]);
        }
        return m;
    }

    private static Decision decide(Map<String, Verdict> v, String next, String knownGood, Backup backup, String trial,
            Set<String> failed) {
        return BootGuard.decide(new Input(Mode.HOLD, v, next, knownGood, backup, trial, failed));
    }

    @Test
    void armbianInPlaceUpgradeWithoutModuleRestoresTheKnownGoodKernelFromItsBackup() {
        Decision d = decide(verdicts(NEW, Verdict.MISSING), NEW, OLD, Backup.SAME_OPENZFS, null, Set.of());
        assertThat(d).isEqualTo(new Hold(OLD, true, "next boot kernel " + NEW + " is MISSING; the known-good kernel "
                + OLD + " comes back from its backup", null));
        assertThat(d.target()).isEqualTo(OLD);
    }

    @Test
    void aBackupOfAnotherOpenZfsIsStillTheWayBackButSaysSo() {
        Hold d = (Hold) decide(verdicts(NEW, Verdict.MISSING), NEW, OLD, Backup.OTHER_OPENZFS, null, Set.of());
        assertThat(d.restoreFirst()).isTrue();
        assertThat(d.warning()).contains("another OpenZFS").contains("zfsguard rebuild");
    }

    @Test
    void debianSideBySideKernelsHoldTheInstalledKnownGoodKernel() {
        Decision d = decide(verdicts(DEB_OLD, Verdict.OK, DEB_NEW, Verdict.MISSING), DEB_NEW, DEB_OLD, Backup.NONE, null,
                Set.of());
        assertThat(d).isInstanceOf(Hold.class);
        assertThat(((Hold) d).restoreFirst()).isFalse();
        assertThat(d.target()).isEqualTo(DEB_OLD);
        assertThat(d.reason()).contains(DEB_NEW + " is MISSING").contains("known-good");
    }

    @Test
    void aFailedDkmsBuildLeavesTheKernelNotInInitramfsOrMissingAndTheOldOneHeld() {
        for (Verdict v : new Verdict[] {Verdict.MISSING, Verdict.STALE, Verdict.NOT_IN_INITRAMFS, Verdict.UNSUPPORTED,
                Verdict.UNKNOWN}) {
            Decision d = decide(verdicts(DEB_OLD, Verdict.OK, DEB_NEW, v), DEB_NEW, DEB_OLD, Backup.NONE, null, Set.of());
            assertThat(d.target()).as(v.label).isEqualTo(DEB_OLD);
            assertThat(d.reason()).contains(v.label);
        }
    }

    @Test
    void withoutAKnownGoodKernelTheNewestSafeKernelIsHeld() {
        Decision d = decide(verdicts("6.1.0-38-amd64", Verdict.OK, DEB_OLD, Verdict.OK, DEB_NEW, Verdict.MISSING), DEB_NEW,
                null, Backup.NONE, null, Set.of());
        assertThat(d).isEqualTo(new Hold(DEB_OLD, false, "next boot kernel " + DEB_NEW
                + " is MISSING; " + DEB_OLD + " is the newest kernel with a working ZFS module", null));
    }

    @Test
    void aKnownGoodKernelThatLostItsModuleGivesWayToTheNewestSafeOne() {
        Decision d = decide(verdicts("6.1.0-38-amd64", Verdict.OK, DEB_OLD, Verdict.STALE, DEB_NEW, Verdict.MISSING),
                DEB_NEW, DEB_OLD, Backup.SAME_OPENZFS, null, Set.of());
        assertThat(d.target()).isEqualTo("6.1.0-38-amd64");
    }

    @Test
    void zfsUpgradedWithoutKernelChangeLeavesNothingSafe() {
        // The new OpenZFS makes the only kernel's module STALE until rebuild; the kernel is installed, so no restore.
        Decision d = decide(verdicts(DEB_OLD, Verdict.STALE), DEB_OLD, DEB_OLD, Backup.SAME_OPENZFS, null, Set.of());
        assertThat(d).isInstanceOf(NoSafeKernel.class);
        assertThat(d.target()).isNull();
        assertThat(d.reason()).contains(DEB_OLD + " is STALE").contains("cannot be restored");
    }

    @Test
    void noSafeKernelAtAllIsTheInterlock() {
        Decision d = decide(verdicts(NEW, Verdict.MISSING), NEW, null, Backup.NONE, null, Set.of());
        assertThat(d).isEqualTo(new NoSafeKernel(NEW, "next boot kernel " + NEW
                + " is MISSING; no installed kernel has a working ZFS module"));
        Decision gone = decide(verdicts(NEW, Verdict.MISSING), NEW, OLD, Backup.NONE, null, Set.of());
        assertThat(gone).isInstanceOf(NoSafeKernel.class);
    }

    @Test
    void twoUpgradesInARowBeforeARebootKeepHoldingTheSameKnownGoodKernel() {
        Decision first = decide(verdicts(NEW, Verdict.MISSING), NEW, OLD, Backup.SAME_OPENZFS, null, Set.of());
        assertThat(first.target()).isEqualTo(OLD);
        // The restored OLD is installed again; the second in-place upgrade replaces NEW with NEWER and points the links at it.
        Decision second = decide(verdicts(OLD, Verdict.OK, NEWER, Verdict.MISSING), NEWER, OLD, Backup.SAME_OPENZFS, null,
                Set.of());
        assertThat(second).isEqualTo(new Hold(OLD, false, "next boot kernel " + NEWER + " is MISSING; " + OLD
                + " is the known-good kernel", null));
    }

    @Test
    void aSafeNewKernelGoesForwardOnlyAsATrial() {
        Decision d = decide(verdicts(OLD, Verdict.OK, NEW, Verdict.OK), NEW, OLD, Backup.SAME_OPENZFS, null, Set.of());
        assertThat(d).isInstanceOf(Trial.class);
        assertThat(((Trial) d).fallback()).isEqualTo(OLD);
        assertThat(d.target()).isEqualTo(NEW);
    }

    @Test
    void whileHeldTheNewKernelBecomingSafeStartsTheTrial() {
        Decision d = decide(verdicts(OLD, Verdict.OK, NEW, Verdict.OK), OLD, OLD, Backup.SAME_OPENZFS, null, Set.of());
        assertThat(d).isEqualTo(new Trial(NEW, OLD, NEW + " has a working ZFS module now; it boots once as a trial, and "
                + OLD + " comes back if ZFS does not confirm"));
    }

    @Test
    void aTrialUnderWayIsKept() {
        assertThat(decide(verdicts(OLD, Verdict.OK, NEW, Verdict.OK), NEW, OLD, Backup.NONE, NEW, Set.of()))
                .isInstanceOf(Keep.class);
        assertThat(decide(verdicts(OLD, Verdict.OK, NEW, Verdict.OK), OLD, OLD, Backup.NONE, NEW, Set.of()))
                .isInstanceOf(Keep.class);
    }

    @Test
    void aFailedTrialIsNotTriedAgain() {
        Decision held = decide(verdicts(OLD, Verdict.OK, NEW, Verdict.OK), NEW, OLD, Backup.NONE, null, Set.of(NEW));
        assertThat(held).isInstanceOf(Hold.class);
        assertThat(held.target()).isEqualTo(OLD);
        assertThat(held.reason()).contains("trial boot of " + NEW + " did not confirm");
        assertThat(decide(verdicts(OLD, Verdict.OK, NEW, Verdict.OK), OLD, OLD, Backup.NONE, null, Set.of(NEW)))
                .isEqualTo(new Keep(OLD, "next boot kernel " + OLD + " is the known-good kernel"));
    }

    @Test
    void theKnownGoodKernelOrNoneKnownIsKept() {
        assertThat(decide(verdicts(OLD, Verdict.OK), OLD, OLD, Backup.NONE, null, Set.of())).isInstanceOf(Keep.class);
        assertThat(decide(verdicts(OLD, Verdict.OK, NEW, Verdict.OK), NEW, null, Backup.NONE, null, Set.of()))
                .isEqualTo(new Keep(NEW, "next boot kernel " + NEW + " has a working ZFS module"));
    }

    @Test
    void aSafeNextKernelIsKeptWhenTheKnownGoodOneCannotBootAnyMore() {
        Decision d = decide(verdicts(NEW, Verdict.OK), NEW, OLD, Backup.NONE, null, Set.of());
        assertThat(d).isInstanceOf(Keep.class);
        assertThat(d.reason()).contains("known-good kernel " + OLD + " has none now");
    }

    @Test
    void anUnknownNextBootIsHeldOnAKernelThatWorks() {
        Decision d = decide(verdicts(OLD, Verdict.OK), null, OLD, Backup.NONE, null, Set.of());
        assertThat(d).isEqualTo(new Hold(OLD, false, "which kernel boots next cannot be told; " + OLD
                + " is the known-good kernel", null));
    }

    @Test
    void warnModeLeavesEverythingToTheBootLoader() {
        Decision d = BootGuard.decide(new Input(Mode.WARN, verdicts(NEW, Verdict.MISSING), NEW, OLD, Backup.SAME_OPENZFS,
                null, Set.of()));
        assertThat(d).isEqualTo(new Keep(NEW, "boot_guard = warn: the boot target is left to the boot loader"));
    }
}
