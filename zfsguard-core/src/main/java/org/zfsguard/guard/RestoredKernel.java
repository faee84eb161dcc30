package org.zfsguard.guard;

import org.zfsguard.readiness.KernelReadiness;
import org.zfsguard.readiness.ReadinessEngine;
import org.zfsguard.readiness.Verdict;
import org.zfsguard.system.SystemRoot;

/**
 * A kernel just brought back from a backup, judged against what is installed
 * now: a backup taken before an OpenZFS upgrade holds modules of the old
 * OpenZFS, which the readiness engine calls STALE. Whoever restored it must say
 * so and offer the rebuild.
 */
public final class RestoredKernel {
    private RestoredKernel() {
    }

    /** Why the restored {@code kernel} is STALE, or null when it is not. */
    public static String staleReason(SystemRoot root, String kernel) {
        for (KernelReadiness k : new ReadinessEngine(root).evaluate().kernels()) {
            if (k.facts().release().text().equals(kernel) && k.verdict() == Verdict.STALE) {
                return k.judgement().reason();
            }
        }
        return null;
    }
}
