package org.zfsguard.hook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.zfsguard.deb.ZfsSourceMeta;
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
                    hasHeaders(root, release), k.running()));
        }
        Optional<String> next = Optional.ofNullable(report.nextBoot().release()).map(r -> r.text());
        InstalledState.NextBootPolicy policy = switch (report.nextBoot().policy()) {
            case LAST_INSTALLED -> InstalledState.NextBootPolicy.LAST_INSTALLED;
            case HIGHEST_VERSION -> InstalledState.NextBootPolicy.HIGHEST_VERSION;
            case SAME_KERNEL -> InstalledState.NextBootPolicy.SAME_KERNEL;
            case UNKNOWN -> InstalledState.NextBootPolicy.UNKNOWN;
        };
        return new InstalledState(kernels, openZfs(root, report), next, policy);
    }

    private static boolean hasHeaders(SystemRoot root, String release) {
        return Files.isDirectory(root.resolve("/usr/src/linux-headers-" + release))
                || Files.isDirectory(root.resolve("/lib/modules/" + release + "/build/include"));
    }

    private static Optional<ZfsSourceMeta> openZfs(SystemRoot root, ReadinessReport report) {
        if (report.openzfs() == null || !report.openzfs().present() || report.openzfs().metaPath() == null) {
            return Optional.empty();
        }
        try {
            String text = Files.readString(root.resolve(report.openzfs().metaPath()), StandardCharsets.UTF_8);
            return Optional.of(ZfsSourceMeta.parse(text));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
