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
import org.zfsguard.readiness.KernelReadiness;
import org.zfsguard.readiness.ReadinessEngine;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.rebuild.DeferredRebuild;
import org.zfsguard.state.ZfsguardLock;

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
        String nextName = next == null ? "(none)" : next.facts().release().text();
        switch (report.overall()) {
            case NO_ZFS -> ctx.say("no ZFS installed on this system; nothing to check for the next boot");
            case SAFE -> ctx.say("SAFE TO REBOOT: next boot kernel " + nextName + " has a working ZFS module ("
                    + next.judgement().reason() + ")");
            case NOT_SAFE -> {
                ctx.say("NOT SAFE TO REBOOT: next boot kernel " + nextName + ": "
                        + (next == null ? report.overallReason() : next.judgement().reason()));
                if (next != null && next.judgement().next() != null) {
                    ctx.say("  run: " + next.judgement().next());
                }
                for (Map.Entry<String, String> b : p.backups.entrySet()) {
                    if (!b.getValue().startsWith("refused") && !b.getKey().equals(nextName)) {
                        ctx.say("  or:  sudo zfsguard restore " + b.getKey() + " --activate");
                    }
                }
                if (ctx.config().build() == Config.BuildPolicy.DEFERRED && rebuildable(next)) {
                    DeferredRebuild.start(ctx.root(), systemdRunDir, starter).forEach(ctx::say);
                }
            }
            default -> {
                ctx.say("COULD NOT TELL whether the next reboot is safe: " + report.overallReason());
                ctx.say("  run: zfsguard status");
            }
        }
        UnfinishedPackages.advice(UnfinishedPackages.read(ctx.root())).forEach(ctx::say);
        refreshPin(ctx);
        if (p.preflight != null && report.overall() != ReadinessReport.Overall.NO_ZFS) {
            boolean safe = report.overall() == ReadinessReport.Overall.SAFE;
            ctx.say(safe == p.predictedSafe ? "(as the preflight predicted)"
                    : "(this differs from the preflight's prediction: " + p.preflight + ")");
        }
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("build", ctx.config().build().name().toLowerCase(java.util.Locale.ROOT));
        ev.put("overall", report.overall().name());
        ev.put("nextBoot", nextName);
        ev.put("reason", report.overallReason());
        ev.put("packages", p.packages);
        ev.put("backups", p.backups);
        ev.put("kernelsInstalled", p.kernelsInstalled);
        ev.put("preflight", p.preflight);
        ctx.journal("verdict", ev);
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
                ctx.say("the compatibility pin changed; see: zfsguard pin");
            }
        } catch (IOException | RuntimeException e) {
            ctx.say("the compatibility pin was not refreshed: " + e.getMessage());
            ctx.say("next: sudo zfsguard pin --refresh");
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
