package org.zfsguard.rebuild;

import java.util.List;

/**
 * How the work of a rebuild went, before the final readiness check.
 *
 * @param status  the worst thing that happened
 * @param results every build that was attempted, in order
 * @param stoppedEarly a build did not succeed, so the kernels after it were left alone
 */
public record RebuildOutcome(Status status, List<BuildResult> results, boolean stoppedEarly) {

    public enum Status {
        /** Everything asked for was built or refreshed and verified. */
        DONE,
        /** A build was not started or was stopped by the temperature guard: nothing broke, nothing was gained. */
        STOPPED,
        /** A build, its verification or an initramfs refresh failed. */
        FAILED;

        Status worse(Status other) {
            return compareTo(other) >= 0 ? this : other;
        }
    }

    public RebuildOutcome {
        results = List.copyOf(results);
    }

    /** How one build result counts: thermal stops and builds that never started are refusals, not failures. */
    static Status statusOf(BuildResult r) {
        return switch (r.outcome()) {
            case SUCCESS -> Status.DONE;
            case ABORTED_HOT, ABORTED_PAUSED_TOO_LONG, NOT_STARTED -> Status.STOPPED;
            case FAILED -> Status.FAILED;
        };
    }
}
