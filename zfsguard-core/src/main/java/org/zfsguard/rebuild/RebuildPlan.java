package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.zfsguard.kernel.KernelHeaders;
import org.zfsguard.kernel.KernelSeries;
import org.zfsguard.message.NextStep;
import org.zfsguard.zfs.OpenZfsMeta;

/**
 * Which kernels get a ZFS build and which are refused, with the reason and the fix: a
 * pure function of the facts, so that {@code --dry-run} shows exactly what a real run
 * would do.
 */
public record RebuildPlan(List<Step> steps) {

    public RebuildPlan {
        steps = List.copyOf(steps);
    }

    /** One kernel's line in the plan. */
    public sealed interface Step {
        KernelRelease kernel();
    }

    /** Build for this kernel; {@code replacesModule} means back the old module up first. */
    public record Build(KernelRelease kernel, DkmsInvocation invocation, boolean replacesModule, String why)
            implements Step {
    }

    /** Not built, with the reason and the command or action that fixes it. */
    public record Refused(KernelRelease kernel, String reason, String fix) implements Step {
    }

    /** Nothing to do for this kernel. */
    public record Skipped(KernelRelease kernel, String reason) implements Step {
    }

    /**
     * Plans builds for {@code kernels} (the ones the caller wants: every kernel whose
     * verdict is not OK, or those named with {@code --kernel}). The kernel that boots next
     * comes first; otherwise the caller's order is kept.
     */
    public static RebuildPlan plan(List<KernelFacts> kernels, OpenZfsMeta zfs, HostResources host,
            BuildRequirements needs, int jobs, BuildTools tools) {
        List<KernelFacts> ordered = new ArrayList<>(kernels);
        ordered.sort(Comparator.comparing(k -> !k.bootsNext()));
        List<Step> steps = new ArrayList<>();
        for (KernelFacts k : ordered) {
            steps.add(step(k, zfs, host, needs, jobs, tools));
        }
        return new RebuildPlan(steps);
    }

    static Step step(KernelFacts k, OpenZfsMeta zfs, HostResources host, BuildRequirements needs, int jobs,
            BuildTools tools) {
        KernelRelease kernel = k.kernel();
        if (!k.installed()) {
            return new Refused(kernel, "kernel " + kernel + " is not installed",
                    "install its linux-image package, or leave it out of --kernel");
        }
        if (k.module() == ModuleState.CURRENT) {
            return new Skipped(kernel, "ZFS " + zfs.version() + " is already built and installed for " + kernel);
        }
        Optional<String> range = outsideRange(kernel, zfs);
        if (range.isPresent()) {
            return new Refused(kernel, range.get(),
                    "install an OpenZFS release that supports it (zfs-dkms from backports), or keep booting a supported kernel");
        }
        if (!k.headersPresent()) {
            return new Refused(kernel, "the headers of " + kernel + " are missing (/lib/modules/" + kernel + "/build)",
                    "sudo apt install " + KernelHeaders.packageFor(kernel));
        }
        if (host.freeDiskMiB() < needs.minFreeDiskMiB()) {
            return new Refused(kernel, String.format("only %d MiB free for /var/lib/dkms; a ZFS build needs %d MiB",
                    host.freeDiskMiB(), needs.minFreeDiskMiB()),
                    "free space on the file system of /var/lib/dkms (apt clean, old kernels, dkms remove of old ZFS versions)");
        }
        long mem = needs.memoryFor(jobs);
        if (host.availableMemoryMiB() < mem) {
            return new Refused(kernel, String.format(
                    "only %d MiB of memory available (MemAvailable + SwapFree); %d job%s need%s %d MiB",
                    host.availableMemoryMiB(), jobs, jobs == 1 ? "" : "s", jobs == 1 ? "s" : "", mem),
                    jobs > 1 ? "use --jobs 1, or stop memory-hungry services for the build"
                            : "stop memory-hungry services for the build, or add swap");
        }
        boolean replaces = k.module() == ModuleState.STALE;
        DkmsInvocation inv = new DkmsInvocation(zfs.version(), kernel, jobs, replaces, tools);
        return new Build(kernel, inv, replaces,
                replaces ? "replaces a stale ZFS module (backed up first)" : "no ZFS module");
    }

    private static Optional<String> outsideRange(KernelRelease kernel, OpenZfsMeta zfs) {
        KernelSeries lv = kernel.series();
        if (lv.compareTo(zfs.linuxMaximum()) > 0) {
            return Optional.of("Linux " + lv + " (" + kernel + ") is newer than ZFS " + zfs.version()
                    + " supports (Linux-Maximum " + zfs.linuxMaximum() + ")");
        }
        if (lv.compareTo(zfs.linuxMinimum()) < 0) {
            return Optional.of("Linux " + lv + " (" + kernel + ") is older than ZFS " + zfs.version()
                    + " supports (Linux-Minimum " + zfs.linuxMinimum() + ")");
        }
        return Optional.empty();
    }

    public List<Build> builds() {
        return steps.stream().filter(s -> s instanceof Build).map(s -> (Build) s).toList();
    }

    public List<Refused> refusals() {
        return steps.stream().filter(s -> s instanceof Refused).map(s -> (Refused) s).toList();
    }

    /** The plan for people, with the exact commands ({@code --dry-run}). */
    public String render() {
        StringBuilder b = new StringBuilder();
        if (steps.isEmpty()) {
            return "nothing to build: every kernel asked for has ZFS\n";
        }
        for (Step s : steps) {
            if (s instanceof Build build) {
                b.append(s.kernel()).append(": build ZFS ").append(build.invocation().zfsVersion())
                        .append(" (").append(build.why()).append(")\n");
                b.append("    ").append(build.invocation().render()).append('\n');
            } else if (s instanceof Refused r) {
                b.append(s.kernel()).append(": refused: ").append(r.reason()).append('\n');
                b.append("    ").append(NextStep.LABEL).append(r.fix()).append('\n');
            } else if (s instanceof Skipped sk) {
                b.append(s.kernel()).append(": nothing to do: ").append(sk.reason()).append('\n');
            }
        }
        return b.toString();
    }
}
