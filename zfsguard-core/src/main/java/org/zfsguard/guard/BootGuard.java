package org.zfsguard.guard;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.readiness.Verdict;

/**
 * Which kernel the boot loader should load next, so that the next boot always
 * has ZFS. Pure: the facts come in, one decision comes out; applying it is
 * {@link BootTargetApplier}'s work.
 *
 * <p>The rule: a next-boot kernel that is not SAFE (verdict OK) is replaced by
 * the known-good kernel when it is SAFE, else by the newest SAFE kernel, else by
 * the known-good kernel restored from its backup; with none of those, nothing
 * can make the next boot safe and the reboot interlock takes over. A SAFE
 * next-boot kernel that has never booted with ZFS goes forward only as a trial:
 * one boot, confirmed or reverted by the boot-time unit.
 */
public final class BootGuard {
    /** {@code boot_guard} in zfsguard.conf. */
    public enum Mode { HOLD, WARN }

    /** What is known of the known-good kernel's backup, when its files are gone. */
    public enum Backup {
        /** No backup of it: it cannot come back. */
        NONE,
        /** Backed up with modules of the installed OpenZFS. */
        SAME_OPENZFS,
        /** Backed up with modules of another OpenZFS than the installed one: restoring it leaves it STALE. */
        OTHER_OPENZFS
    }

    /**
     * @param mode the configured mode
     * @param verdicts every installed kernel's verdict
     * @param next the kernel the boot loader loads next, or null when it cannot be told
     * @param knownGood the kernel that last booted with ZFS and its pools, or null
     * @param knownGoodBackup the known-good kernel's backup, which matters only when it is not installed
     * @param trial the kernel on trial (its boot not yet confirmed), or null
     * @param failedTrials kernels whose trial boot did not confirm ZFS; they are not tried again until rebuilt
     */
    public record Input(Mode mode, Map<String, Verdict> verdicts, String next, String knownGood, Backup knownGoodBackup,
            String trial, Set<String> failedTrials) {
        public Input {
            verdicts = Map.copyOf(verdicts);
            failedTrials = Set.copyOf(failedTrials);
            knownGoodBackup = knownGoodBackup == null ? Backup.NONE : knownGoodBackup;
        }

        boolean safe(String kernel) {
            return kernel != null && verdicts.get(kernel) == Verdict.OK;
        }
    }

    /** The outcome; {@link #reason} says why in one line for apt's output and the journal. */
    public sealed interface Decision {
        String reason();

        /** The kernel the boot loader should load after this decision, or null when none is safe. */
        String target();
    }

    /** The boot target stays as it is. */
    public record Keep(String target, String reason) implements Decision {
    }

    /**
     * Point the boot loader at {@code target}.
     *
     * @param restoreFirst its files are gone and come back from its backup first
     * @param warning something the operator must hear about this target (null when nothing)
     */
    public record Hold(String target, boolean restoreFirst, String reason, String warning) implements Decision {
    }

    /** Boot {@code target} once as a trial; {@code fallback} is the kernel that boots if it does not confirm ZFS. */
    public record Trial(String target, String fallback, String reason) implements Decision {
    }

    /** No kernel can boot with ZFS: the interlock keeps reboots back. */
    public record NoSafeKernel(String next, String reason) implements Decision {
        @Override
        public String target() {
            return null;
        }
    }

    private BootGuard() {
    }

    public static Decision decide(Input in) {
        String next = in.next();
        if (in.mode() == Mode.WARN) {
            return new Keep(next, "boot_guard = warn: the boot target is left to the boot loader");
        }
        if (in.safe(next)) {
            return decideSafeNext(in, next);
        }
        String why = next == null ? "which kernel boots next cannot be told"
                : "next boot kernel " + next + " is " + label(in.verdicts().get(next));
        String kg = in.knownGood();
        if (in.safe(kg)) {
            return new Hold(kg, false, why + "; " + kg + " is the known-good kernel", null);
        }
        String newest = newestSafe(in);
        if (newest != null) {
            return new Hold(newest, false, why + "; " + newest + " is the newest kernel with a working ZFS module", null);
        }
        if (kg != null && !in.verdicts().containsKey(kg) && in.knownGoodBackup() != Backup.NONE) {
            String warning = in.knownGoodBackup() == Backup.OTHER_OPENZFS
                    ? "the backup of " + kg + " holds modules of another OpenZFS than the installed one: it boots with"
                            + " them, but zfsguard rebuild is needed before it counts as SAFE"
                    : null;
            return new Hold(kg, true, why + "; the known-good kernel " + kg + " comes back from its backup", warning);
        }
        return new NoSafeKernel(next, why + "; no installed kernel has a working ZFS module"
                + (kg == null ? "" : " and the known-good kernel " + kg + " cannot be restored"));
    }

    private static Decision decideSafeNext(Input in, String next) {
        String kg = in.knownGood();
        if (kg == null) {
            return new Keep(next, "next boot kernel " + next + " has a working ZFS module");
        }
        if (kg.equals(next)) {
            String forward = newestSafe(in);
            if (forward != null && KernelRelease.compare(forward, kg) > 0 && !forward.equals(in.trial())) {
                return new Trial(forward, kg, forward + " has a working ZFS module now; it boots once as a trial,"
                        + " and " + kg + " comes back if ZFS does not confirm");
            }
            return new Keep(next, "next boot kernel " + next + " is the known-good kernel");
        }
        if (next.equals(in.trial())) {
            return new Keep(next, "next boot kernel " + next + " is on trial; " + kg + " boots if it does not confirm ZFS");
        }
        boolean kgBootable = in.safe(kg) || !in.verdicts().containsKey(kg) && in.knownGoodBackup() != Backup.NONE;
        if (in.failedTrials().contains(next) && kgBootable) {
            return new Hold(kg, !in.verdicts().containsKey(kg), "the trial boot of " + next
                    + " did not confirm ZFS; " + kg + " is the known-good kernel", null);
        }
        if (!in.safe(kg)) {
            // Nothing better to fall back to: the SAFE kernel is the best there is, without a trial.
            return new Keep(next, "next boot kernel " + next + " has a working ZFS module; the known-good kernel "
                    + kg + " has none now");
        }
        return new Trial(next, kg, "next boot kernel " + next + " has a working ZFS module but has not booted with it"
                + " yet; it boots once as a trial, and " + kg + " comes back if ZFS does not confirm");
    }

    /** The newest installed kernel with verdict OK that has not failed a trial, or null. */
    static String newestSafe(Input in) {
        List<String> safe = new ArrayList<>();
        in.verdicts().forEach((k, v) -> {
            if (v == Verdict.OK && !in.failedTrials().contains(k)) {
                safe.add(k);
            }
        });
        safe.sort(KernelRelease.VERSION_ORDER.reversed());
        return safe.isEmpty() ? null : safe.get(0);
    }

    private static String label(Verdict v) {
        return v == null ? "not installed" : v.label;
    }
}
