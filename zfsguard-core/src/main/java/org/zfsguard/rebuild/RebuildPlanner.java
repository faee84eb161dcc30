package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.zfsguard.kernel.KernelHeaders;
import org.zfsguard.readiness.ReadinessEngine;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.zfs.OpenZfsMeta;

/**
 * Gathers the facts a plan needs from the target (readiness report, OpenZFS source,
 * kernel headers, free disk and memory) and plans; it changes nothing, so
 * {@code --dry-run} and a real run plan alike.
 */
public final class RebuildPlanner {
    private static final int MAX_MEMINFO_BYTES = 64 * 1024;

    private final SystemRoot root;
    private final BuildTools tools;

    public RebuildPlanner(SystemRoot root, BuildTools tools) {
        this.root = root;
        this.tools = tools;
    }

    /** Plans for the {@code named} kernels, or for every kernel that needs it when none is named. */
    public PlannedRebuild plan(List<KernelRelease> named, int jobs) throws RebuildException {
        ReadinessReport report = new ReadinessEngine(root).evaluate();
        OpenZfsMeta zfs = zfsSource(report);
        RebuildTargets targets = RebuildTargets.of(report, named, k -> KernelHeaders.present(root, k));
        HostResources host = resources();
        List<RebuildPlan.Step> steps = new ArrayList<>(
                RebuildPlan.plan(targets.build(), zfs, host, BuildRequirements.defaults(), jobs, tools).steps());
        steps.addAll(targets.refused());
        return new PlannedRebuild(root, new RebuildPlan(steps), targets.initramfsOnly(), report.initramfsRequired(), host);
    }

    static OpenZfsMeta zfsSource(ReadinessReport report) throws RebuildException {
        OpenZfsMeta meta = report.openzfs().meta();
        String path = report.openzfs().metaPath();
        if (meta == null || path == null) {
            String why = report.openzfs().problem() != null ? report.openzfs().problem() : "no OpenZFS source in /usr/src";
            throw new RebuildException("nothing to build from: " + why, "sudo apt install zfs-dkms");
        }
        // /usr/src/zfs-<v>/META: DKMS knows the module by that directory's version, the plan by META's.
        String dir = path.substring("/usr/src/zfs-".length(), path.length() - "/META".length());
        if (!dir.equals(meta.version())) {
            throw new RebuildException("cannot build from " + SystemRoot.printable(path) + ": its Version is "
                    + meta.version() + ", not " + SystemRoot.printable(dir), "sudo apt install --reinstall zfs-dkms");
        }
        return meta;
    }

    private HostResources resources() throws RebuildException {
        HostResourceProbe probe = new HostResourceProbe(root);
        long disk;
        try {
            disk = probe.freeDiskMiB("/var/lib/dkms");
        } catch (IOException e) {
            throw new RebuildException("cannot measure free space for /var/lib/dkms: "
                    + SystemRoot.printable(String.valueOf(e.getMessage())), "df -h /var/lib/dkms");
        }
        // The running system's memory only when it is the target; a chroot's /proc, when mounted, shows the same.
        Path meminfo = root.isHost() ? Path.of("/proc/meminfo") : root.resolve("/proc/meminfo");
        long mem = Long.MAX_VALUE;
        if (Files.isReadable(meminfo)) {
            try (InputStream in = Files.newInputStream(meminfo)) {
                mem = HostResourceProbe.availableMemoryMiB(new String(in.readNBytes(MAX_MEMINFO_BYTES), StandardCharsets.UTF_8));
            } catch (IOException e) {
                mem = Long.MAX_VALUE;
            }
        }
        return new HostResources(disk, mem);
    }
}
