package org.zfsguard.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.zfsguard.backup.BackupStore;
import org.zfsguard.config.Config;
import org.zfsguard.dpkg.DpkgLocks;
import org.zfsguard.message.NextStep;
import org.zfsguard.metrics.VerdictPublisher;
import org.zfsguard.rebuild.BuildRunner;
import org.zfsguard.rebuild.DkmsInvocation;
import org.zfsguard.rebuild.DpkgIdleWait;
import org.zfsguard.rebuild.MonotonicClock;
import org.zfsguard.rebuild.PlannedRebuild;
import org.zfsguard.rebuild.BuildRunner;
import org.zfsguard.rebuild.ProgressListener;
import org.zfsguard.rebuild.ProgressRenderer;
import org.zfsguard.rebuild.RebuildException;
import org.zfsguard.rebuild.RebuildOutcome;
import org.zfsguard.rebuild.RebuildOutput;
import org.zfsguard.rebuild.RebuildPlanner;
import org.zfsguard.rebuild.RebuildSession;
import org.zfsguard.rebuild.RebuildVerdict;
import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.state.EventJournal;
import org.zfsguard.state.StateDir;
import org.zfsguard.state.ZfsguardLock;
import org.zfsguard.guard.BootGuardian;
import org.zfsguard.guard.RebootInhibitor;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.thermal.ThermalGuard;
import org.zfsguard.thermal.ThermalZones;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = {
            "Build ZFS with DKMS for the kernels that need it: one kernel at a time, at the lowest CPU and " +
                    "I/O priority, with --jobs compiler jobs, paused above --max-temp. A module that gets replaced is" +
                    " backed up first and restored when the new one does not verify. Without --kernel (or with " +
                    "--all): every installed kernel whose verdict is not OK, the next boot kernel first. Ends with " +
                    "SAFE TO REBOOT or NOT SAFE TO REBOOT from a fresh check. While apt or dpkg runs, it waits up to " +
                    "--wait-for-dpkg seconds for them to finish, then refuses.",
            "Exit: 0 safe to reboot; 1 refused (also: apt or dpkg still running), stopped by the temperature " +
                    "guard, or not safe; 2 a build or its verification failed."
        })
final class RebuildCommand implements Callable<Integer> {
    static final int DEFAULT_DPKG_WAIT_S = 10;
    static final int MAX_DPKG_WAIT_S = 24 * 60 * 60;

    private final Effects effects;
    private final Confirmation confirmation;

    RebuildCommand(Effects effects) {
        this.effects = effects;
        this.confirmation = effects.confirmation();
    }

    /** Asks the operator; {@code interactive()} false when there is nobody to ask. */
    interface Confirmation {
        boolean interactive();

        boolean ask(PrintWriter out, String question);

        static Confirmation system() {
            return new Confirmation() {
                @Override
                public boolean interactive() {
                    return System.console() != null;
                }

                @Override
                public boolean ask(PrintWriter out, String question) {
                    out.print(question);
                    out.flush();
                    try {
                        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                        return line != null && (line.strip().equalsIgnoreCase("y") || line.strip().equalsIgnoreCase("yes"));
                    } catch (IOException e) {
                        return false;
                    }
                }
            };
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--kernel", paramLabel = "K", description = "Build for this kernel release (repeatable); default: every installed kernel that is not OK.")
    List<String> kernels = new ArrayList<>();

    @Option(names = "--all", description = "Every installed kernel that is not OK (the default, spelled out for scripts; cannot be combined with --kernel).")
    boolean all;

    @Option(names = "--jobs", paramLabel = "N", description = "Parallel compiler jobs, 1-" + DkmsInvocation.MAX_JOBS + " (default: jobs in " + Config.PATH + ", 1).")
    Integer jobs;

    @Option(names = "--max-temp", paramLabel = "C", description = "Pause the build at this SoC temperature in Celsius (default: max_temp in " + Config.PATH + ", 80).")
    Integer maxTemp;

    @Option(names = "--resume-temp", paramLabel = "C", description = "Resume a paused build below this temperature (default: resume_temp in " + Config.PATH + ", max - 10).")
    Integer resumeTemp;

    @Option(names = "--wait-for-dpkg", paramLabel = "S", description = "While apt or dpkg holds /var/lib/dpkg/lock-frontend or /var/lib/dpkg/lock, wait up to S seconds for it to finish before refusing (default: " + DEFAULT_DPKG_WAIT_S + ").")
    Integer dpkgWait;

    @Option(names = "--dry-run", description = "Print the plan and the exact commands; change nothing.")
    boolean dryRun;

    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation (needed when standard input is not a terminal).")
    boolean yes;

    private PrintWriter out;
    private PrintWriter err;
    private SystemRoot root;

    @Override
    public Integer call() {
        root = GlobalOptions.root();
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        if (all && !kernels.isEmpty()) {
            throw new UserError("--all and --kernel exclude each other", GlobalOptions.command(NextStep.zfsguardAsRoot("rebuild", "--all")) + ", or "
                    + GlobalOptions.command(NextStep.zfsguardAsRoot("rebuild", "--kernel", "K")), ExitCodes.USAGE);
        }
        List<KernelRelease> named = new ArrayList<>();
        for (String k : kernels) {
            try {
                named.add(KernelRelease.parse(k));
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage(), GlobalOptions.command(NextStep.zfsguard("status").because("(lists the installed kernels)")),
                        ExitCodes.USAGE);
            }
        }
        Config config = BackupCommand.config(root);
        int n = jobs != null ? jobs : config.jobs();
        if (n < 1 || n > DkmsInvocation.MAX_JOBS) {
            throw new UserError("--jobs must be 1.." + DkmsInvocation.MAX_JOBS + ", got " + n, GlobalOptions.command(NextStep.zfsguardAsRoot("rebuild", "--jobs", "1")), ExitCodes.USAGE);
        }
        int waitS = dpkgWait != null ? dpkgWait : DEFAULT_DPKG_WAIT_S;
        if (waitS < 0 || waitS > MAX_DPKG_WAIT_S) {
            throw new UserError("--wait-for-dpkg must be 0.." + MAX_DPKG_WAIT_S + " seconds, got " + waitS,
                    GlobalOptions.command(NextStep.zfsguardAsRoot("rebuild", "--wait-for-dpkg", String.valueOf(DEFAULT_DPKG_WAIT_S))),
                    ExitCodes.USAGE);
        }
        ThermalGuard.Limits limits = limits(config);
        String again = again(n);
        if (!dryRun) {
            // Before planning, so that a rebuild that waited plans from what dpkg left behind.
            awaitDpkg(Duration.ofSeconds(waitS), again);
        }

        PlannedRebuild planned;
        try {
            planned = new RebuildPlanner(root, effects.buildTools(root)).plan(named, n);
        } catch (RebuildException e) {
            throw new UserError(e.getMessage(), e.next());
        }
        out.print(planned.render());
        if (planned.memoryUnchecked()) {
            out.println("(memory not checked: " + SystemRoot.printable(root.path().toString())
                    + " has no /proc/meminfo; the build shares the running kernel's memory)");
        }
        int refusals = planned.refusedAny() ? ExitCodes.NOT_SAFE : ExitCodes.OK;
        if (dryRun) {
            out.println("nothing was changed (--dry-run)" + (planned.hasWork() ? "; " + NextStep.LABEL + again : ""));
            return refusals;
        }
        if (!planned.hasWork()) {
            // Nothing to build, but a kernel DKMS built meanwhile may be ready to boot as a trial.
            StateDir state = BackupCommand.stateDir(root);
            try (ZfsguardLock lock = BackupCommand.lock(state, again, effects.lockWait())) {
                guardBootTarget(state, config, planned);
            } catch (IOException e) {
                throw BackupCommand.ioFailure(e, again);
            }
            return finish(refusals, null);
        }
        if (!yes) {
            if (!confirmation.interactive()) {
                throw new UserError("not started: standard input is not a terminal, so nobody can confirm the plan above",
                        again + " --yes", ExitCodes.NOT_SAFE);
            }
            if (!confirmation.ask(out, "Build now? [y/N] ")) {
                out.println("not started; nothing was changed");
                return ExitCodes.NOT_SAFE;
            }
            // Whoever answered may have taken a while: apt may have started meanwhile.
            awaitDpkg(Duration.ZERO, again);
        }
        return finish(Math.max(refusals, build(planned, limits, config, again)), config);
    }

    /** Runs the plan under zfsguard's lock; the exit code of the work, before the final check. */
    @SuppressWarnings("try") // the lock is held by being open for the whole block
    private int build(PlannedRebuild planned, ThermalGuard.Limits limits, Config config, String again) {
        StateDir state = BackupCommand.stateDir(root);
        try (ZfsguardLock lock = BackupCommand.lock(state, again, effects.lockWait());
                RebootInhibitor inhibitor = RebootInhibitor.hold(root, "zfsguard rebuild is building ZFS")) {
            BuildRunner runner = new BuildRunner(root, effects.launcher(), new ThermalZones(root), MonotonicClock.system(),
                    effects.sleeper(), effects.runnerSettings());
            // A kernel hook's backup holds the store for a minute at most; an hour-long build can wait that out.
            BackupStore store = BackupStore.open(root, state).waitingAtMost(java.time.Duration.ofMinutes(10));
            RebuildSession session = new RebuildSession(root, config, store, EventJournal.of(state),
                    runner, effects.commands(), effects.depmod(), new Output());
            RebuildOutcome outcome = session.run(planned, limits);
            guardBootTarget(state, config, planned);
            if (outcome.stoppedEarly()) {
                err.println("zfsguard: the remaining kernels were not built; after fixing the cause: " + again);
            }
            return switch (outcome.status()) {
                case DONE -> ExitCodes.OK;
                case STOPPED -> ExitCodes.NOT_SAFE;
                case FAILED -> ExitCodes.ERROR;
            };
        } catch (IOException e) {
            throw BackupCommand.ioFailure(e, again);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted; the build was stopped", GlobalOptions.command(NextStep.zfsguard("status")) + ", then: " + again);
        }
    }

    /** The boot target follows what the build proved: the guard holds or trials it (under the lock held here). */
    private void guardBootTarget(StateDir state, Config config, PlannedRebuild planned) {
        try {
            new BootGuardian(root, state, config.bootGuard(), null, null, java.time.Clock.systemUTC())
                    .forgetFailedTrials(planned.plan().builds().stream().map(b -> b.kernel().text()).toList());
            BootGuardian.run(root, state, config.bootGuard(), effects.guardCommands(),
                    new org.zfsguard.readiness.ReadinessEngine(root).evaluate(), out::println);
        } catch (IOException | RuntimeException e) {
            err.println("zfsguard: the boot guard did not run: " + e.getMessage());
        }
    }

    /** Refuses while apt or dpkg still holds its lock after {@code max}: exit 1, like every refusal. */
    private void awaitDpkg(Duration max, String again) {
        DpkgLocks locks = new DpkgLocks(root);
        DpkgIdleWait.Outcome o;
        try {
            o = new DpkgIdleWait(locks::heldByOthers, MonotonicClock.system(), effects.sleeper()).await(max, (lock, m) ->
                    out.println("apt or dpkg is running (" + lock + " is locked); waiting up to " + m.toSeconds()
                            + " s for it to finish"));
        } catch (IOException e) {
            throw BackupCommand.ioFailure(e, again);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while waiting for apt or dpkg; nothing was changed", again);
        }
        if (o instanceof DpkgIdleWait.Busy b) {
            throw new UserError("not started: apt or dpkg is running (" + b.lock() + " is held by another process"
                    + (b.waited().isZero() ? "" : ", waited " + b.waited().toSeconds() + " s") + "); nothing was changed",
                    "wait for apt or dpkg to finish, then: " + again, ExitCodes.NOT_SAFE);
        }
    }

    private ThermalGuard.Limits limits(Config config) {
        int max = maxTemp != null ? maxTemp : config.maxTempC();
        int resume = resumeTemp != null ? resumeTemp : Math.min(config.resumeTempC(), max - 1);
        try {
            return ThermalGuard.Limits.celsius(max, resume, ThermalGuard.DEFAULT_MAX_PAUSE);
        } catch (IllegalArgumentException e) {
            throw new UserError("bad temperature limits: " + e.getMessage(), GlobalOptions.command(NextStep.zfsguardAsRoot("rebuild", "--max-temp", "80", "--resume-temp", "70")),
                    ExitCodes.USAGE);
        }
    }

    /** This command line again, as the operator of this root types it. */
    private String again(int n) {
        List<String> args = new ArrayList<>(List.of("rebuild"));
        kernels.forEach(k -> args.addAll(List.of("--kernel", k)));
        if (jobs != null) {
            args.addAll(List.of("--jobs", String.valueOf(n)));
        }
        if (maxTemp != null) {
            args.addAll(List.of("--max-temp", String.valueOf(maxTemp)));
        }
        if (resumeTemp != null) {
            args.addAll(List.of("--resume-temp", String.valueOf(resumeTemp)));
        }
        return GlobalOptions.command(NextStep.zfsguardAsRoot(args.toArray(String[]::new)));
    }

    /**
     * The final check decides too: a run that built everything can still leave the next boot unsafe.
     * After a build ({@code built} set) the verdict also goes to the metrics and the login message.
     */
    private int finish(int code, Config built) {
        RebuildVerdict verdict = RebuildVerdict.check(root);
        out.println(verdict.line());
        if (built != null) {
            VerdictPublisher.publishQuietly(root, built, verdict.report()).forEach(l -> err.println("zfsguard: " + l));
        }
        out.flush();
        return switch (verdict.overall()) {
            case SAFE -> code;
            case UNKNOWN -> Math.max(code, ExitCodes.ERROR);
            default -> Math.max(code, ExitCodes.NOT_SAFE);
        };
    }

    /** Standard output for the account, standard error with the command's prefix for problems. */
    private final class Output implements RebuildOutput {
        @Override
        public void say(String line) {
            out.println(line);
        }

        @Override
        public void warn(String line) {
            err.println("zfsguard: " + line);
        }

        @Override
        public ProgressListener progress() {
            return confirmation.interactive() ? ProgressRenderer.terminal(out) : ProgressRenderer.plain(out, Clock.systemUTC());
        }
    }
}
