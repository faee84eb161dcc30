package org.zfsguard.hook;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.metrics.VerdictPublisher;
import org.zfsguard.readiness.ReadinessEngine;
import org.zfsguard.readiness.ReadinessReport;

/**
 * The {@code /etc/kernel/prerm.d} and {@code postinst.d} hooks, which also run
 * for a plain {@code dpkg -i} where apt's hooks do not. The kernel comes from
 * the hook's argument, never from the running system.
 */
public final class KernelHooks {
    private KernelHooks() {
    }

    /** Before the kernel's package removes or replaces it: back up its boot set, unless apt's hook already did. */
    public static int prerm(HookContext ctx, String kernel) throws IOException {
        if (!valid(ctx, kernel)) {
            return 0;
        }
        PendingRecord record = ctx.pending();
        PendingChange pending = record.readOrNew("kernel-prerm");
        addOnce(pending.kernelsRemoved, kernel);
        if (pending.backedUp(kernel)) {
            record.write(pending);
            return 0;
        }
        ReadinessReport before = new ReadinessEngine(ctx.root()).evaluate();
        BootSetGuard.backUp(ctx, pending, List.of(kernel), PreInstallHook.protectedKernels(before));
        record.write(pending);
        GuardStep.remember(ctx, before);
        ctx.journal("change-detected", Map.of("hook", "kernel-prerm", "kernel", kernel, "backups", pending.backups));
        return 0;
    }

    /** A kernel was installed: record it; the verdict comes once dpkg is done. */
    public static int postinst(HookContext ctx, String kernel) throws IOException {
        if (!valid(ctx, kernel)) {
            return 0;
        }
        PendingRecord record = ctx.pending();
        PendingChange pending = record.readOrNew("kernel-postinst");
        addOnce(pending.kernelsInstalled, kernel);
        record.write(pending);
        ctx.journal("kernel-installed", Map.of("kernel", kernel));
        // Armbian's own postinst has just pointed /boot/Image at this kernel: hold it back now, so that
        // a power cut before dpkg finishes cannot boot a kernel without ZFS.
        ReadinessReport report = GuardStep.run(ctx, new ReadinessEngine(ctx.root()).evaluate());
        // Until post-invoke judges the whole run, the dashboard shows what the disk says now.
        VerdictPublisher.publishQuietly(ctx.root(), ctx.config(), report).forEach(ctx::say);
        return 0;
    }

    private static void addOnce(List<String> kernels, String kernel) {
        if (!kernels.contains(kernel)) {
            kernels.add(kernel);
        }
    }

    private static boolean valid(HookContext ctx, String kernel) {
        String problem = KernelRelease.problem(kernel);
        if (problem != null) {
            ctx.say("ignoring kernel hook call: not a kernel release: " + problem);
            return false;
        }
        return true;
    }
}
