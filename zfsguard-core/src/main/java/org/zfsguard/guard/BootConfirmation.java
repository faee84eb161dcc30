package org.zfsguard.guard;

import java.util.ArrayList;
import java.util.List;

/**
 * What a boot means for the guard, decided from what the boot-time units saw.
 * Pure: it changes a copy of the state and names the boot-loader actions;
 * {@link BootConfirm} carries them out.
 *
 * <p>Two stages: {@link Stage#MODULES} early in the boot (before the pools are
 * imported) records the boot and counts a trial's boots; {@link Stage#POOLS},
 * after zfs-import.target, decides. A boot that loaded ZFS and imported the
 * cached pools makes its kernel known-good and ends its trial. A trial boot that
 * did not reverts the boot target to the fallback and reboots once: the trial
 * is cleared (and the kernel listed as failed) before the reboot, so the
 * fallback boot can never start another revert, and a loop is impossible.
 */
public final class BootConfirmation {
    public enum Stage { MODULES, POOLS }

    /** What the boot loader needs after this boot. */
    public enum Action {
        /** Nothing changes. */
        NONE,
        /** The confirmed trial kernel becomes the boot loader's default (GRUB: grub-set-default; U-Boot: links stay). */
        MAKE_DEFAULT,
        /** Point the boot loader at {@link Result#target} again. */
        POINT_BACK,
        /** Point the boot loader at {@link Result#target} and reboot into it, once. */
        POINT_BACK_AND_REBOOT
    }

    /**
     * @param facts what this boot saw
     * @param state the guard's state after this boot (a changed copy)
     * @param action what the boot loader needs
     * @param target the kernel the action concerns, or null
     * @param event the journal event ({@code boot-recorded}, {@code boot-confirmed}, {@code trial-failed}, {@code boot-without-zfs})
     * @param lines what to say on the console and in the journal
     * @param loud true when the operator must hear it (written as an error)
     */
    public record Result(BootFacts facts, GuardState.Data state, Action action, String target, String event,
            List<String> lines, boolean loud) {
    }

    /**
     * @param kernel the running kernel, or null when it cannot be told
     * @param zfsLoaded /sys/module/zfs exists
     * @param zfsVersion /sys/module/zfs/version, or null
     * @param poolsImported every pool of the cache file imported (true without a cache file); null in the early stage
     * @param at the time, ISO-8601
     */
    public record BootFacts(String kernel, boolean zfsLoaded, String zfsVersion, Boolean poolsImported, String at) {
    }

    private BootConfirmation() {
    }

    public static Result decide(Stage stage, GuardState.Data s, BootFacts f) {
        List<String> lines = new ArrayList<>();
        if (f.kernel() == null) {
            lines.add("the running kernel cannot be told; this boot is not recorded");
            return new Result(f, s, Action.NONE, null, "boot-recorded", lines, true);
        }
        GuardState.BootRecord rec = new GuardState.BootRecord();
        rec.kernel = f.kernel();
        rec.at = f.at();
        rec.zfsLoaded = f.zfsLoaded();
        rec.zfsVersion = f.zfsVersion();
        rec.poolsImported = f.poolsImported();
        s.lastBoot = rec;
        GuardState.TrialData trial = s.trial;
        boolean onTrial = trial != null && trial.kernel.equals(f.kernel());
        if (stage == Stage.MODULES) {
            if (onTrial) {
                trial.boots++;
                lines.add("trial boot " + trial.boots + " of " + f.kernel() + " (falls back to " + trial.fallback + ")");
            }
            lines.add("boot of " + f.kernel() + " recorded: zfs module " + (f.zfsLoaded()
                    ? "loaded (" + (f.zfsVersion() == null ? "version unknown" : f.zfsVersion()) + ")" : "not loaded"));
            return new Result(f, s, Action.NONE, null, "boot-recorded", lines, false);
        }
        boolean confirmed = f.kernel() != null && f.zfsLoaded() && Boolean.TRUE.equals(f.poolsImported());
        if (confirmed) {
            boolean endsTrial = onTrial;
            boolean trialMissed = trial != null && !onTrial;
            s.knownGood = f.kernel();
            s.knownGoodSource = "confirmed boot";
            s.knownGoodSince = f.at();
            s.lastConfirmedBoot = rec;
            s.failedTrials.remove(f.kernel());
            if (endsTrial || trialMissed) {
                s.trial = null;
            }
            if (trialMissed && !s.failedTrials.contains(trial.kernel)) {
                // The trial boot did not reach this unit (a panic, a hang, a boot loader that fell back): it failed.
                s.failedTrials.add(trial.kernel);
            }
            lines.add("boot confirmed: " + f.kernel() + " loaded ZFS " + (f.zfsVersion() == null ? "" : f.zfsVersion() + " ")
                    + "and imported the cached pools; it is the known-good kernel"
                    + (endsTrial ? "; the trial is over" : "")
                    + (trialMissed ? "; the trial boot of " + trial.kernel + " never got this far, so it counts as failed"
                            : ""));
            return new Result(f, s, endsTrial ? Action.MAKE_DEFAULT : trialMissed ? Action.POINT_BACK : Action.NONE,
                    f.kernel(), trialMissed ? "trial-failed" : "boot-confirmed", lines, trialMissed);
        }
        String what = f.kernel() + (f.zfsLoaded() ? " loaded ZFS but the cached pools did not all import"
                : " booted without the zfs module");
        if (trial != null) {
            // The trial kernel failed here, or the boot never reached it (GRUB's one-shot entry is spent either way).
            String failed = trial.kernel;
            if (!s.failedTrials.contains(failed)) {
                s.failedTrials.add(failed);
            }
            s.trial = null;
            boolean reboot = onTrial && trial.revertReboots == 0 && trial.boots <= 1 && trial.fallback != null;
            lines.add("TRIAL BOOT FAILED: " + what + "; the boot target goes back to " + trial.fallback
                    + (reboot ? ", and the system reboots into it once" : ""));
            return new Result(f, s, trial.fallback == null ? Action.NONE
                    : reboot ? Action.POINT_BACK_AND_REBOOT : Action.POINT_BACK, trial.fallback, "trial-failed", lines, true);
        }
        String kg = s.knownGood;
        if (kg != null && !kg.equals(f.kernel())) {
            lines.add("THIS BOOT HAS NO ZFS: " + what + "; the next boot goes back to the known-good kernel " + kg);
            return new Result(f, s, Action.POINT_BACK, kg, "boot-without-zfs", lines, true);
        }
        lines.add("THIS BOOT HAS NO ZFS: " + what + (kg == null ? "; no known-good kernel is recorded"
                : "; it is the known-good kernel, so there is no other to go back to"));
        return new Result(f, s, Action.NONE, null, "boot-without-zfs", lines, true);
    }
}
