package org.zfsguard.readiness;

/** One row of the report: the facts of a kernel, its marks and its verdict. */
public record KernelReadiness(KernelFacts facts, boolean running, boolean nextBoot, Judgement judgement) {
    public Verdict verdict() {
        return judgement.verdict();
    }
}
