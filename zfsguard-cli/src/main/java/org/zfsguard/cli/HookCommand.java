package org.zfsguard.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.zfsguard.dkms.DkmsConfigBlock;
import org.zfsguard.hook.HookContext;
import org.zfsguard.hook.KernelHooks;
import org.zfsguard.hook.PostInvokeHook;
import org.zfsguard.hook.PreInstallHook;
import org.zfsguard.system.SystemRoot;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Entry points of the apt, dpkg and kernel hooks. Each exits 0 whatever goes
 * wrong, so that zfsguard never breaks the package manager; the one exception
 * is the preflight gate's refusal (exit 10) from apt-pre-install.
 */
@Command(name = "hook", mixinStandardHelpOptions = true,
        description = {
            "Entry points for the apt, dpkg and kernel hooks (not for people). Every hook exits 0, except " +
                    "apt-pre-install when the preflight gate refuses (exit 10)."
        },
        subcommands = {
            HookCommand.AptPreInstall.class,
            HookCommand.PostInvoke.class,
            HookCommand.KernelPrerm.class,
            HookCommand.KernelPostinst.class,
            HookCommand.DkmsConfig.class,
            HookCommand.BootConfirmHook.class
        })
final class HookCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    interface Body {
        int run(HookContext ctx) throws Exception;
    }

    /** Runs a hook body; any failure is reported in one line and turned into success. */
    static int guarded(CommandSpec spec, String name, Body body) {
        PrintWriter out = spec.commandLine().getOut();
        try {
            HookContext ctx = new HookContext(GlobalOptions.root(), out, System.getenv());
            return body.run(ctx);
        } catch (Throwable t) {
            String why = t instanceof java.io.IOException && t.getMessage() != null ? t.getMessage() : t.toString();
            out.println("zfsguard: the " + name + " hook failed and is skipped: " + why);
            out.println("zfsguard:   the package operation goes on; afterwards check with: zfsguard status");
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "apt-pre-install", mixinStandardHelpOptions = true,
            description = {
                "DPkg::Pre-Install-Pkgs: reads apt's package list (protocol 2 or 3) on standard input, runs the " +
                        "preflight gate and backs up the boot sets the operation is about to touch."
            })
    static final class AptPreInstall implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return guarded(spec, "apt-pre-install", ctx -> PreInstallHook.run(ctx, System.in));
        }
    }

    @Command(name = "post-invoke", mixinStandardHelpOptions = true,
            description = "After dpkg: says whether the next reboot is safe when a kernel or ZFS change was recorded.")
    static final class PostInvoke implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return guarded(spec, "post-invoke", PostInvokeHook::run);
        }
    }

    /** The kernel hooks' arguments: run-parts passes the release and the image path. */
    abstract static class KernelHook implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "KERNEL", description = "The kernel release (the hook's $1).")
        String kernel;

        @Parameters(index = "1", paramLabel = "IMAGE", arity = "0..1", description = "The kernel image path (the hook's $2; unused).")
        String image;

        abstract int body(HookContext ctx, String kernel) throws Exception;

        @Override
        public Integer call() {
            return guarded(spec, spec.name(), ctx -> body(ctx, kernel));
        }
    }

    @Command(name = "kernel-prerm", mixinStandardHelpOptions = true,
            description = "/etc/kernel/prerm.d: backs up the boot set of KERNEL before its package removes it.")
    static final class KernelPrerm extends KernelHook {
        @Override
        int body(HookContext ctx, String k) throws Exception {
            return KernelHooks.prerm(ctx, k);
        }
    }

    @Command(name = "kernel-postinst", mixinStandardHelpOptions = true,
            description = "/etc/kernel/postinst.d: records that KERNEL was installed; the verdict follows after dpkg.")
    static final class KernelPostinst extends KernelHook {
        @Override
        int body(HookContext ctx, String k) throws Exception {
            return KernelHooks.postinst(ctx, k);
        }
    }

    @Command(name = "dkms-config", mixinStandardHelpOptions = true,
            description = {
                "Maintainer scripts: add (install) or remove (remove) the marked block in /etc/dkms/zfs.conf that" +
                        " keeps DKMS's own ZFS builds at one compiler job. Lines outside the block are never touched."
            })
    static final class DkmsConfig implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ACTION", description = "install or remove")
        String action;

        @Override
        public Integer call() {
            return guarded(spec, "dkms-config", ctx -> {
                DkmsConfigBlock.Change c = switch (action) {
                    case "install" -> DkmsConfigBlock.install(ctx.root());
                    case "remove" -> DkmsConfigBlock.remove(ctx.root());
                    default -> throw new IllegalArgumentException("unknown action '" + SystemRoot.printable(action) + "' (install or remove)");
                };
                if (c.changed()) {
                    ctx.say(c.message());
                }
                return ExitCodes.OK;
            });
        }
    }

    @Command(name = "boot-confirm", mixinStandardHelpOptions = true,
            description = {
                "The boot-time units: STAGE modules (before the pools are imported) records this boot and the zfs" +
                        " module it loaded; STAGE pools (after zfs-import.target) confirms the boot, which makes the" +
                        " kernel known-good, or reverts a failed trial boot (rebooting once). Decisions go to" +
                        " /var/lib/zfsguard/events.jsonl."
            })
    static final class BootConfirmHook implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "STAGE", description = "modules or pools")
        String stage;

        @Override
        public Integer call() {
            return guarded(spec, "boot-confirm", ctx -> {
                org.zfsguard.guard.BootConfirmation.Stage st = switch (stage) {
                    case "modules" -> org.zfsguard.guard.BootConfirmation.Stage.MODULES;
                    case "pools" -> org.zfsguard.guard.BootConfirmation.Stage.POOLS;
                    default -> throw new IllegalArgumentException("unknown stage '" + SystemRoot.printable(stage)
                            + "' (modules or pools)");
                };
                java.util.List<String> said = new java.util.ArrayList<>();
                org.zfsguard.guard.BootConfirmation.Result r = new org.zfsguard.guard.BootConfirm(ctx.root(), ctx.state(),
                        org.zfsguard.rebuild.CommandRunner.processes(), java.time.Clock.systemUTC()).run(st, said);
                PrintWriter err = spec.commandLine().getErr();
                for (String line : said) {
                    if (r.loud()) {
                        // standard error reaches the console and the journal at priority err
                        err.println("zfsguard: " + line);
                        err.flush();
                    } else {
                        ctx.say(line);
                    }
                }
                if (st == org.zfsguard.guard.BootConfirmation.Stage.POOLS) {
                    // A confirmed (or failed) boot is a verdict too: dashboards learn it now, not at the next timer.
                    org.zfsguard.metrics.VerdictPublisher.publishQuietly(ctx.root(), ctx.config(),
                            new org.zfsguard.readiness.ReadinessEngine(ctx.root()).evaluate()).forEach(ctx::say);
                }
                return ExitCodes.OK;
            });
        }
    }
}
