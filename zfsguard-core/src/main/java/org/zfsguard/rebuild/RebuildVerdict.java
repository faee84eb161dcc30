package org.zfsguard.rebuild;

import org.zfsguard.readiness.ReadinessEngine;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.readiness.VerdictSentence;
import org.zfsguard.system.SystemRoot;

/** The last word of every rebuild: SAFE TO REBOOT or NOT SAFE TO REBOOT, from a fresh check of the disk. */
public record RebuildVerdict(ReadinessReport.Overall overall, String line, ReadinessReport report) {

    public static RebuildVerdict check(SystemRoot root) {
        ReadinessReport fresh = new ReadinessEngine(root).evaluate();
        String line = VerdictSentence.of(fresh);
        return new RebuildVerdict(fresh.overall(), line, fresh);
    }
}
