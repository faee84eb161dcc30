package org.zfsguard.rebuild;

import org.zfsguard.readiness.ReadinessEngine;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.system.SystemRoot;

/** The last word of every rebuild: SAFE TO REBOOT or NOT SAFE TO REBOOT, from a fresh check of the disk. */
public record RebuildVerdict(ReadinessReport.Overall overall, String line) {

    public static RebuildVerdict check(SystemRoot root) {
        ReadinessReport fresh = new ReadinessEngine(root).evaluate();
        String line = switch (fresh.overall()) {
            case SAFE -> "SAFE TO REBOOT";
            case UNKNOWN -> "NOT SAFE TO REBOOT: cannot tell: " + SystemRoot.printable(fresh.overallReason());
            default -> "NOT SAFE TO REBOOT: " + SystemRoot.printable(fresh.overallReason());
        };
        return new RebuildVerdict(fresh.overall(), line);
    }
}
