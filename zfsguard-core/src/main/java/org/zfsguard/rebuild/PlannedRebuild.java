package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import java.util.List;

import org.zfsguard.message.NextStep;
import org.zfsguard.system.SystemRoot;

/**
 * What a rebuild will do: the builds and refusals of the plan, the kernels that only
 * need a fresh initramfs, and whether ZFS is in the initramfs at all (then every
 * build is followed by update-initramfs).
 */
public record PlannedRebuild(SystemRoot root, RebuildPlan plan, List<KernelRelease> initramfsOnly, boolean initramfs,
        HostResources host) {

    public PlannedRebuild {
        initramfsOnly = List.copyOf(initramfsOnly);
    }

    /** Something would be built or refreshed. */
    public boolean hasWork() {
        return !plan.builds().isEmpty() || !initramfsOnly.isEmpty();
    }

    /** Some kernel was refused. */
    public boolean refusedAny() {
        return !plan.refusals().isEmpty();
    }

    /** The memory of the target could not be read (a root without /proc), so the plan did not check it. */
    public boolean memoryUnchecked() {
        return host.availableMemoryMiB() == Long.MAX_VALUE;
    }

    /** The plan for people, with the exact commands a real run would start. */
    public String render() {
        StringBuilder b = new StringBuilder();
        if (plan.steps().isEmpty() && initramfsOnly.isEmpty()) {
            return "nothing to build: every kernel asked for has ZFS\n";
        }
        for (RebuildPlan.Step s : plan.steps()) {
            String k = s.kernel().text();
            if (s instanceof RebuildPlan.Build build) {
                b.append(k).append(": build ZFS ").append(build.invocation().zfsVersion()).append(" (").append(build.why()).append(")\n");
                if (build.replacesModule()) {
                    b.append("    first: back up the boot set of ").append(k).append(" (zfsguard backup --kernel ").append(k).append(")\n");
                }
                b.append("    ").append(build.invocation().render()).append('\n');
                b.append("    then: check that ZFS loads on ").append(k).append(", else restore the backup\n");
                if (initramfs) {
                    b.append("    then: ").append(String.join(" ", InitramfsRefresh.argv(root, s.kernel())))
                            .append(" (left out when the initramfs already holds the built zfs.ko, compared by content)\n");
                }
            } else if (s instanceof RebuildPlan.Refused r) {
                b.append(k).append(": refused: ").append(r.reason()).append('\n');
                b.append("    ").append(NextStep.LABEL).append(r.fix()).append('\n');
            } else if (s instanceof RebuildPlan.Skipped sk) {
                b.append(k).append(": nothing to do: ").append(sk.reason()).append('\n');
            }
        }
        for (KernelRelease k : initramfsOnly) {
            b.append(k).append(": refresh the initramfs (the ZFS module is right, the initramfs lacks it)\n");
            b.append("    ").append(String.join(" ", InitramfsRefresh.argv(root, k))).append('\n');
        }
        return b.toString();
    }
}
