package org.zfsguard.hook;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.zfsguard.zfs.OpenZfsMeta;
import org.zfsguard.kernel.KernelHeaders;
import org.zfsguard.preflight.KernelSummary;
import org.zfsguard.preflight.InstalledState;
import org.zfsguard.readiness.KernelReadiness;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.readiness.Verdict;
import org.zfsguard.system.SystemRoot;

/** The readiness report boiled down to what the preflight decides on. */
final class InstalledStateSummary {
    private InstalledStateSummary() {
    }

    static InstalledState of(SystemRoot root, ReadinessReport report) {
        List<KernelSummary> kernels = new ArrayList<>();
        for (KernelReadiness k : report.kernels()) {
            String release = k.facts().release().text();
            String owner = k.facts().installed() == null ? null : k.facts().installed().owner();
            kernels.add(new KernelSummary(release, Optional.ofNullable(owner), k.verdict() == Verdict.OK,
                    KernelHeaders.present(root, k.facts().release()), k.running()));
        }
        Optional<String> next = Optional.ofNullable(report.nextBoot().release()).map(r -> r.text());
        InstalledState.NextBootPolicy policy = switch (report.nextBoot().policy()) {
            case LAST_INSTALLED -> InstalledState.NextBootPolicy.LAST_INSTALLED;
            case HIGHEST_VERSION -> InstalledState.NextBootPolicy.HIGHEST_VERSION;
            case SAME_KERNEL -> InstalledState.NextBootPolicy.SAME_KERNEL;
            case UNKNOWN -> InstalledState.NextBootPolicy.UNKNOWN;
        };
        return new InstalledState(kernels, openZfs(report), next, policy);
    }

    private static Optional<OpenZfsMeta> openZfs(ReadinessReport report) {
        return report.openzfs() == null || !report.openzfs().present() ? Optional.empty()
                : Optional.ofNullable(report.openzfs().meta());
    }
}
