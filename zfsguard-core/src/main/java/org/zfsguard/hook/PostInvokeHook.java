package org.zfsguard.hook;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.zfsguard.config.Config;
import org.zfsguard.message.NextStep;
import org.zfsguard.readiness.KernelReadiness;
import org.zfsguard.readiness.ReadinessEngine;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.readiness.VerdictSentence;
import org.zfsguard.rebuild.DeferredRebuild;

/**
 * After dpkg: when a kernel or ZFS change was recorded, say whether the next
 * reboot is safe, what to run if not, and whether that is what the preflight
 * expected; journal it and clear the record.
 */
public final class PostInvokeHook {
    /** Where a running systemd keeps its runtime state; swapped in tests. */
    static Path systemdRunDir = Path.of("/run/systemd/system");
    static DeferredRebuild.Starter starter = DeferredRebuild::run;

    private PostInvokeHook() {
    }

    public static int run(HookContext ctx) throws IOException {
        PendingRecord record = ctx.pending();
        Optional<PendingChange> change = record.read();
        if (change.isEmpty()) {
            return 0;
        }
        PendingChange p = change.get();
        ReadinessReport report = new ReadinessEngine(ctx.root()).evaluate();
        KernelReadiness next = report.nextBootKernel();
        String nextName = next == null ? null : next.facts().release().text();
        ctx.say(VerdictSentence.of(report));
        VerdictSentence.nextStep(report).ifPresent(s -> ctx.say("  " + s.line(ctx.root())));
        if (report.overall() == ReadinessReport.Overall.NOT_SAFE) {
            for (Map.Entry<String, String> b : p.backups.entrySet()) {
                if (!b.getValue().startsWith("refused") && !b.getKey().equals(nextName)) {
                    ctx.say("  or:   " + NextStep.zfsguardAsRoot("restore", b.getKey(), "--activate").command(ctx.root()));
                }
            }
            if (ctx.config().build() == Config.BuildPolicy.DEFERRED && rebuildable(next)) {
                DeferredRebuild.start(ctx.root(), systemdRunDir, starter).forEach(ctx::say);
            }
        }
        // Only a surprise for the worse is news: a warning that came out fine needs no remark.
        if (p.preflight != null && p.predictedSafe && (report.overall() == ReadinessReport.Overall.NOT_SAFE
                || report.overall() == ReadinessReport.Overall.UNKNOWN)) {
            ctx.say("the preflight expected a safe next reboot, but the outcome is worse than it predicted");
        }
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("build", ctx.config().build().name());
        ev.put("overall", report.overall().name());
        ev.put("next_boot", nextName);
        ev.put("reason", report.overallReason());
        ev.put("packages", p.packages);
        ev.put("backups", p.backups);
        ev.put("kernels_installed", p.kernelsInstalled);
        ev.put("preflight", p.preflight);
        ctx.journal("verdict", ev);
        record.clear();
        return 0;
    }

    /** A rebuild can help: the module is missing, stale or not yet in the initramfs. */
    private static boolean rebuildable(KernelReadiness k) {
        return k != null && switch (k.verdict()) {
            case MISSING, STALE, NOT_IN_INITRAMFS -> true;
            default -> false;
        };
    }
}
