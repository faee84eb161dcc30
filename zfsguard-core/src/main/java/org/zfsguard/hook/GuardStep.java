package org.zfsguard.hook;

import java.io.IOException;
import java.time.Clock;

import org.zfsguard.guard.BootGuard;
import org.zfsguard.guard.BootGuardian;
import org.zfsguard.guard.BootTargetApplier;
import org.zfsguard.message.NextStep;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.rebuild.CommandRunner;
import org.zfsguard.state.ZfsguardLock;

/**
 * The boot guard's turn in a hook: under zfsguard's lock, or skipped with a
 * warning; whatever fails, apt goes on.
 */
public final class GuardStep {
    /** The boot loader's tools; a recording fake in tests. */
    static CommandRunner runner = CommandRunner.processes();

    private GuardStep() {
    }

    /**
     * Guards the boot target and returns the report as it stands afterwards
     * (evaluated again when the boot target changed).
     */
    public static ReadinessReport run(HookContext ctx, ReadinessReport report) {
        if (ctx.config().bootGuard() == BootGuard.Mode.WARN || report.overall() == ReadinessReport.Overall.NO_ZFS) {
            return report;
        }
        try (ZfsguardLock lock = ZfsguardLock.acquire(ctx.state(), ctx.lockWait())) {
            return BootGuardian.run(ctx.root(), ctx.state(), ctx.config().bootGuard(), runner, report, ctx::say);
        } catch (IOException | RuntimeException e) {
            ctx.say("WARNING: the boot guard did not run: " + e.getMessage());
            ctx.say("  " + NextStep.zfsguard("status").line(ctx.root()));
            return report;
        }
    }

    /** Before a change: remember the kernel that boots now as known-good when none is recorded. */
    public static void remember(HookContext ctx, ReadinessReport report) {
        if (ctx.config().bootGuard() == BootGuard.Mode.WARN) {
            return;
        }
        try (ZfsguardLock lock = ZfsguardLock.acquire(ctx.state(), ctx.lockWait())) {
            guardian(ctx).rememberBeforeChange(report);
        } catch (IOException | RuntimeException e) {
            ctx.say("WARNING: the known-good kernel was not recorded: " + e.getMessage());
        }
    }

    static BootGuardian guardian(HookContext ctx) throws IOException {
        return new BootGuardian(ctx.root(), ctx.state(), ctx.config().bootGuard(),
                new BootTargetApplier(ctx.root(), runner), BootGuardian.fromBackups(ctx.root(), ctx.state()),
                Clock.systemUTC());
    }
}
