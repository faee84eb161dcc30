package org.zfsguard.hook;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.zfsguard.config.Config;
import org.zfsguard.dpkg.UnfinishedPackages;
import org.zfsguard.pin.PinFile;
import org.zfsguard.message.NextStep;
import org.zfsguard.metrics.VerdictPublisher;
import org.zfsguard.readiness.KernelReadiness;
import org.zfsguard.readiness.ReadinessEngine;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.readiness.VerdictSentence;
import org.zfsguard.rebuild.DeferredRebuild;
import org.zfsguard.state.ZfsguardLock;

/**
 * After dpkg: when a kernel or ZFS change was recorded, say whether the next
 * reboot is safe, what to run if not, and whether that is what the preflight
 * expected; journal it and clear the record.
 */
public final class PostInvokeHook {
    /** Where a running systemd keeps its runtime state (DeferredRebuild takes it as an argument, for its tests). */
    private static final Path SYSTEMD_RUN_DIR = Path.of("/run/systemd/system");
    private static final DeferredRebuild.Starter STARTER = DeferredRebuild::run;

    private PostInvokeHook() {
    }

    public static int run(HookContext ctx) throws IOException {
        PendingRecord record = ctx.pending();
        Optional<PendingChange> change = record.read();
        if (change.isEmpty()) {
            return 0;
        }
        PendingChange p = change.get();
        ReadinessReport report = GuardStep.run(ctx, new ReadinessEngine(ctx.root()).evaluate());
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
                DeferredRebuild.start(ctx.root(), SYSTEMD_RUN_DIR, STARTER).forEach(ctx::say);
            }
        }
        UnfinishedPackages.advice(UnfinishedPackages.read(ctx.root())).forEach(ctx::say);
        refreshPin(ctx);
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
        VerdictPublisher.publishQuietly(ctx.root(), ctx.config(), report).forEach(ctx::say);
        record.clear();
        return 0;
    }

    /**
     * A new OpenZFS may support kernels the pin holds back, and a kernel installed in spite of
     * it must leave the pin: the next upgrade should see both. A failure here changes nothing
     * else this hook does.
     */
    private static void refreshPin(HookContext ctx) {
        if (ctx.config().pin() != Config.PinMode.AUTO) {
            return;
        }
        // The pin file is zfsguard's own state: written under the lock, or not at all.
        try (ZfsguardLock lock = ZfsguardLock.acquire(ctx.state(), ctx.lockWait())) {
            List<String> problems = new ArrayList<>();
            if (PinFile.apply(ctx.root(), ctx.state(), PinFile.compute(ctx.root(), problems), "after dpkg")) {
                ctx.say("the compatibility pin changed");
                ctx.say("  " + NextStep.zfsguard("pin").line(ctx.root()));
            }
        } catch (IOException | RuntimeException e) {
            ctx.say("the compatibility pin was not refreshed: " + e.getMessage());
            ctx.say("  " + NextStep.zfsguardAsRoot("pin", "--refresh").line(ctx.root()));
        }
    }

    /** A rebuild can help: the module is missing, stale or not yet in the initramfs. */
    private static boolean rebuildable(KernelReadiness k) {
        return k != null && switch (k.verdict()) {
            case MISSING, STALE, NOT_IN_INITRAMFS -> true;
            default -> false;
        };
    }
}
