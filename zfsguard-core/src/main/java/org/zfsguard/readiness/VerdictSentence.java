package org.zfsguard.readiness;

import java.util.Optional;

import org.zfsguard.message.NextStep;
import org.zfsguard.system.SystemRoot;

/**
 * The one sentence that answers "is the next reboot safe", as check, status,
 * rebuild and the apt hook all print it, and the step that goes with it.
 */
public final class VerdictSentence {
    public static final String SAFE = "SAFE TO REBOOT";
    public static final String NOT_SAFE = "NOT SAFE TO REBOOT";
    public static final String CANNOT_TELL = "CANNOT TELL whether the next reboot is safe";
    public static final String NO_ZFS = "NO ZFS: ZFS is not installed on this system (no zfs module, OpenZFS source, "
            + "DKMS entry or ZFS package); nothing to check before a reboot";

    private VerdictSentence() {
    }

    /** The sentence for {@code r}, its reason made safe for a terminal. */
    public static String of(ReadinessReport r) {
        String reason = SystemRoot.printable(r.overallReason());
        return switch (r.overall()) {
            case SAFE -> SAFE + ": " + reason;
            case NOT_SAFE -> NOT_SAFE + ": " + reason;
            case UNKNOWN -> CANNOT_TELL + ": " + reason;
            case NO_ZFS -> NO_ZFS;
        };
    }

    /**
     * What to do about the verdict: the next-boot kernel's own step, or a
     * closer look when nothing better is known; empty when safe or without ZFS.
     */
    public static Optional<NextStep> nextStep(ReadinessReport r) {
        KernelReadiness next = r.nextBootKernel();
        return switch (r.overall()) {
            case SAFE, NO_ZFS -> Optional.empty();
            case NOT_SAFE, UNKNOWN -> Optional.of(next != null && next.judgement().next() != null
                    ? next.judgement().next() : NextStep.zfsguard("status"));
        };
    }
}
