package org.zfsguard.metrics;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.zfsguard.readiness.ReadinessReport;

/**
 * What a fleet dashboard needs to know about one machine: the verdict and the
 * state around it (held kernels, backups, the last rebuild, the last confirmed
 * boot). Gathered by {@link FleetFactsReader}, rendered by {@link PrometheusText}.
 *
 * @param lastChange when the last kernel or ZFS package change was judged (post-invoke's verdict event)
 * @param bootConfirmed when a boot was last confirmed to have ZFS; empty when nothing confirms boots
 */
public record FleetFacts(ReadinessReport report, List<HeldKernel> held, Optional<Instant> lastBackup, int damagedBackups,
        Optional<RebuildResult> lastRebuild, Optional<Instant> lastChange, Optional<Instant> bootConfirmed) {

    public FleetFacts {
        held = List.copyOf(held);
    }

    /** A kernel package version the compatibility pin keeps apt from installing. */
    public record HeldKernel(String packageName, String kernel, String reason) {
    }

    /** The outcome of the last rebuild: {@code finished} or {@code aborted}, for which kernel, when. */
    public record RebuildResult(String result, String kernel, Instant time) {
    }

    public boolean nextBootSafe() {
        return report.overall() == ReadinessReport.Overall.SAFE;
    }
}
