package org.zfsguard.guard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.zfsguard.guard.BootConfirmation.Action;
import org.zfsguard.guard.BootConfirmation.BootFacts;
import org.zfsguard.guard.BootConfirmation.Result;
import org.zfsguard.guard.BootConfirmation.Stage;

class BootConfirmationTest {
    static final String OLD = "6.12.57-current-rockchip64";
    static final String NEW = "6.12.58-current-rockchip64";
    static final String AT = "2026-11-30T02:30:00Z";

    static GuardState.Data onTrial(String kernel, String fallback, int boots) {
        GuardState.Data d = new GuardState.Data();
        d.knownGood = fallback;
        d.trial = new GuardState.TrialData();
        d.trial.kernel = kernel;
        d.trial.fallback = fallback;
        d.trial.boots = boots;
        return d;
    }

    static BootFacts good(String k) {
        return new BootFacts(k, true, "2.3.4-1", true, AT);
    }

    static BootFacts noZfs(String k) {
        return new BootFacts(k, false, null, false, AT);
    }

    @Test
    void theEarlyStageRecordsTheBootAndCountsTheTrialsBoots() {
        Result r = BootConfirmation.decide(Stage.MODULES, onTrial(NEW, OLD, 0), new BootFacts(NEW, true, "2.3.4-1", null, AT));
        assertThat(r.action()).isEqualTo(Action.NONE);
        assertThat(r.state().trial.boots).isEqualTo(1);
        assertThat(r.state().lastBoot.kernel).isEqualTo(NEW);
        assertThat(r.state().lastBoot.poolsImported).isNull();
        assertThat(r.lines()).containsExactly("trial boot 1 of " + NEW + " (falls back to " + OLD + ")",
                "boot of " + NEW + " recorded: zfs module loaded (2.3.4-1)");
        assertThat(r.event()).isEqualTo("boot-recorded");
    }

    @Test
    void aConfirmedTrialMakesTheKernelKnownGoodAndEndsTheTrial() {
        GuardState.Data s = onTrial(NEW, OLD, 1);
        s.failedTrials.add(NEW);
        Result r = BootConfirmation.decide(Stage.POOLS, s, good(NEW));
        assertThat(r.action()).isEqualTo(Action.MAKE_DEFAULT);
        assertThat(r.target()).isEqualTo(NEW);
        assertThat(r.state().knownGood).isEqualTo(NEW);
        assertThat(r.state().knownGoodSource).isEqualTo("confirmed boot");
        assertThat(r.state().trial).isNull();
        assertThat(r.state().failedTrials).isEmpty();
        assertThat(r.state().lastConfirmedBoot.kernel).isEqualTo(NEW);
        assertThat(r.loud()).isFalse();
        assertThat(r.event()).isEqualTo("boot-confirmed");
    }

    @Test
    void aTrialWithoutZfsRevertsAndRebootsOnceAndTheFallbackBootCannotRevertAgain() {
        Result r = BootConfirmation.decide(Stage.POOLS, onTrial(NEW, OLD, 1), noZfs(NEW));
        assertThat(r.action()).isEqualTo(Action.POINT_BACK_AND_REBOOT);
        assertThat(r.target()).isEqualTo(OLD);
        assertThat(r.state().trial).isNull();
        assertThat(r.state().failedTrials).containsExactly(NEW);
        assertThat(r.loud()).isTrue();
        assertThat(r.lines()).containsExactly("TRIAL BOOT FAILED: " + NEW + " booted without the zfs module; the boot"
                + " target goes back to " + OLD + ", and the system reboots into it once");
        // The fallback boot, should it fail too, has no trial left: no second reboot.
        Result again = BootConfirmation.decide(Stage.POOLS, r.state(), noZfs(OLD));
        assertThat(again.action()).isEqualTo(Action.NONE);
        assertThat(again.lines().get(0)).startsWith("THIS BOOT HAS NO ZFS: " + OLD).endsWith("no other to go back to");
    }

    @Test
    void aTrialKernelThatBootedTwiceUnconfirmedIsPointedBackWithoutAnotherReboot() {
        Result r = BootConfirmation.decide(Stage.POOLS, onTrial(NEW, OLD, 2), noZfs(NEW));
        assertThat(r.action()).isEqualTo(Action.POINT_BACK);
        assertThat(r.target()).isEqualTo(OLD);
    }

    @Test
    void poolsThatDidNotImportFailTheTrialToo() {
        Result r = BootConfirmation.decide(Stage.POOLS, onTrial(NEW, OLD, 1), new BootFacts(NEW, true, "2.3.4-1", false, AT));
        assertThat(r.action()).isEqualTo(Action.POINT_BACK_AND_REBOOT);
        assertThat(r.lines().get(0)).contains("loaded ZFS but the cached pools did not all import");
    }

    @Test
    void aConfirmedBootOnTheFallbackEndsATrialThatNeverGotThisFar() {
        Result r = BootConfirmation.decide(Stage.POOLS, onTrial(NEW, OLD, 0), good(OLD));
        assertThat(r.state().trial).isNull();
        assertThat(r.state().failedTrials).containsExactly(NEW);
        assertThat(r.state().knownGood).isEqualTo(OLD);
        assertThat(r.action()).isEqualTo(Action.POINT_BACK);
        assertThat(r.event()).isEqualTo("trial-failed");
    }

    @Test
    void aBootWithoutZfsOutsideATrialPointsBackAtTheKnownGoodKernelWithoutRebooting() {
        GuardState.Data s = new GuardState.Data();
        s.knownGood = OLD;
        Result r = BootConfirmation.decide(Stage.POOLS, s, noZfs(NEW));
        assertThat(r.action()).isEqualTo(Action.POINT_BACK);
        assertThat(r.target()).isEqualTo(OLD);
        assertThat(r.loud()).isTrue();
        assertThat(r.event()).isEqualTo("boot-without-zfs");
    }

    @Test
    void theFirstConfirmedBootRecordsTheKnownGoodKernel() {
        Result r = BootConfirmation.decide(Stage.POOLS, new GuardState.Data(), good(OLD));
        assertThat(r.state().knownGood).isEqualTo(OLD);
        assertThat(r.action()).isEqualTo(Action.NONE);
        Result none = BootConfirmation.decide(Stage.POOLS, new GuardState.Data(), noZfs(OLD));
        assertThat(none.lines().get(0)).endsWith("no known-good kernel is recorded");
        assertThat(none.state().knownGood).isNull();
    }

    @Test
    void anUnknownRunningKernelChangesNothing() {
        GuardState.Data s = onTrial(NEW, OLD, 1);
        Result r = BootConfirmation.decide(Stage.POOLS, s, new BootFacts(null, true, "2.3.4-1", true, AT));
        assertThat(r.action()).isEqualTo(Action.NONE);
        assertThat(r.state().trial.kernel).isEqualTo(NEW);
        assertThat(r.state().lastBoot).isNull();
    }
}
