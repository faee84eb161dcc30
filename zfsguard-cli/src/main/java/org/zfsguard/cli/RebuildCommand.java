package org.zfsguard.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.zfsguard.backup.BackupOutcome;
import org.zfsguard.backup.BackupSet;
import org.zfsguard.backup.BackupStore;
import org.zfsguard.backup.DpkgOwnership;
import org.zfsguard.backup.Restorer;
import org.zfsguard.backup.RestoreOutcome;
import org.zfsguard.config.Config;
import org.zfsguard.readiness.KernelReadiness;
import org.zfsguard.readiness.ReadinessEngine;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.readiness.Verdict;
import org.zfsguard.rebuild.BuildHooks;
import org.zfsguard.rebuild.BuildRequirements;
import org.zfsguard.rebuild.BuildResult;
import org.zfsguard.rebuild.BuildRunner;
import org.zfsguard.rebuild.BuildTools;
import org.zfsguard.rebuild.DkmsInvocation;
import org.zfsguard.rebuild.HostResourceProbe;
import org.zfsguard.rebuild.HostResources;
import org.zfsguard.rebuild.KernelFacts;
import org.zfsguard.rebuild.ModuleState;
import org.zfsguard.rebuild.MonotonicClock;
import org.zfsguard.rebuild.ProcessLauncher;
import org.zfsguard.rebuild.ProgressRenderer;
import org.zfsguard.rebuild.RebuildPlan;
import org.zfsguard.rebuild.Sleeper;
import org.zfsguard.rebuild.SystemProcessLauncher;
import org.zfsguard.rebuild.TargetKernel;
import org.zfsguard.rebuild.ZfsSource;
import org.zfsguard.state.EventJournal;
import org.zfsguard.state.StateDir;
import org.zfsguard.state.ZfsguardLock;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.thermal.ThermalGuard;
import org.zfsguard.thermal.ThermalZones;
import org.zfsguard.zfs.OpenZfsMeta;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = {
            "Build ZFS with DKMS for the kernels that need it: one kernel at a time, at the lowest CPU and I/O",
            "priority, with --jobs compiler jobs, paused above --max-temp. A module that gets replaced is backed",
            "up first and restored when the new one does not verify. Without --kernel (or with --all): every",
            "installed kernel whose verdict is not OK, the next boot kernel first. Ends with SAFE TO REBOOT or",
            "NOT SAFE TO REBOOT from a fresh check.",
            "Exit: 0 safe to reboot; 1 refused, stopped by the temperature guard, or not safe; 2 a build or its",
            "verification failed."
        })
final class RebuildCommand implements Callable<Integer> {
    // Replaced by tests (fake dkms, fake update-initramfs, short poll interval); production values here.
    static Function<SystemRoot, BuildTools> tools = RebuildCommand::standardTools;
    static ProcessLauncher launcher = new SystemProcessLauncher();
    static BuildRunner.Settings runnerSettings = BuildRunner.Settings.defaults();
    static Sleeper sleeper = Sleeper.system();
    static CommandRunner commands = RebuildCommand::runProcess;
    static Confirmation confirmation = Confirmation.system();

    /** Runs a short command to its end and returns its exit status (update-initramfs). */
    interface CommandRunner {
        int run(List<String> argv, PrintWriter out) throws IOException, InterruptedException;
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
            throw new UserError("--all and --kernel exclude each other", "zfsguard rebuild --all, or zfsguard rebuild --kernel K", ExitCodes.USAGE);
        }
        List<TargetKernel> named = new ArrayList<>();
        for (String k : kernels) {
            try {
                named.add(TargetKernel.of(k));
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage(), "zfsguard status (lists the installed kernels)", ExitCodes.USAGE);
            }
        }
        Config config = BackupCommand.config(root);
        int n = jobs != null ? jobs : config.jobs();
        if (n < 1 || n > DkmsInvocation.MAX_JOBS) {
            throw new UserError("--jobs must be 1.." + DkmsInvocation.MAX_JOBS + ", got " + n, "zfsguard rebuild --jobs 1", ExitCodes.USAGE);
        }
        ThermalGuard.Limits limits = limits(config);

        ReadinessReport report = new ReadinessEngine(root).evaluate();
        ZfsSource zfs = zfsSource(report);
        BuildTools buildTools = tools.apply(root);
        Targets targets = targets(report, named);
        HostResources host = resources();
        RebuildPlan plan = plan(targets, zfs, host, n, buildTools);
        boolean initramfs = report.initramfsRequired();

        out.print(render(plan, targets, initramfs));
        if (host.availableMemoryMiB() == Long.MAX_VALUE) {
            out.println("(memory not checked: " + SystemRoot.printable(root.path().toString())
                    + " has no /proc/meminfo; the build shares the running kernel's memory)");
        }
        String again = again(n);
        boolean work = !plan.builds().isEmpty() || !targets.initramfsOnly().isEmpty();
        if (dryRun) {
            out.println("nothing was changed (--dry-run)" + (work ? "; next: " + again : ""));
            return plan.refusals().isEmpty() ? ExitCodes.OK : ExitCodes.NOT_SAFE;
        }
        if (!work) {
            return finish(plan.refusals().isEmpty() ? ExitCodes.OK : ExitCodes.NOT_SAFE);
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
        }
        int code = plan.refusals().isEmpty() ? ExitCodes.OK : ExitCodes.NOT_SAFE;
        StateDir state = BackupCommand.stateDir(root);
        try (ZfsguardLock lock = BackupCommand.lock(state, again)) {
            EventJournal journal = EventJournal.of(state);
            BackupStore store = BackupStore.open(root, state);
            for (RebuildPlan.Build build : plan.builds()) {
                int c = runOne(build, limits, initramfs, journal, store, config);
                code = Math.max(code, c);
                if (c != ExitCodes.OK) {
                    err.println("zfsguard: the remaining kernels were not built; after fixing the cause: " + again);
                    return finish(code);
                }
            }
            for (TargetKernel k : targets.initramfsOnly()) {
                code = Math.max(code, refreshInitramfs(k) ? ExitCodes.OK : ExitCodes.ERROR);
            }
        } catch (IOException e) {
            throw BackupCommand.ioFailure(e, again);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted; the build was stopped", "zfsguard status, then: " + again);
        }
        return finish(code);
    }

    // ---------------------------------------------------------------- planning

    /** The kernels to build, and those whose module is right but missing from their initramfs. */
    record Targets(List<KernelFacts> build, List<RebuildPlan.Step> refused, List<TargetKernel> initramfsOnly) {
    }

    private ThermalGuard.Limits limits(Config config) {
        int max = maxTemp != null ? maxTemp : config.maxTempC();
        int resume = resumeTemp != null ? resumeTemp : Math.min(config.resumeTempC(), max - 1);
        try {
            return ThermalGuard.Limits.celsius(max, resume, ThermalGuard.DEFAULT_MAX_PAUSE);
        } catch (IllegalArgumentException e) {
            throw new UserError("bad temperature limits: " + e.getMessage(), "zfsguard rebuild --max-temp 80 --resume-temp 70", ExitCodes.USAGE);
        }
    }

    private static ZfsSource zfsSource(ReadinessReport report) {
        OpenZfsMeta meta = report.openzfs().meta();
        String path = report.openzfs().metaPath();
        if (meta == null || path == null) {
            String why = report.openzfs().problem() != null ? report.openzfs().problem() : "no OpenZFS source in /usr/src";
            throw new UserError("nothing to build from: " + why, "apt install zfs-dkms", ExitCodes.ERROR);
        }
        // /usr/src/zfs-<v>/META: DKMS knows the module by that directory's version.
        String dir = path.substring("/usr/src/zfs-".length(), path.length() - "/META".length());
        try {
            return ZfsSource.of(dir, nullToEmpty(meta.linuxMinimum()), nullToEmpty(meta.linuxMaximum()));
        } catch (IllegalArgumentException e) {
            throw new UserError("cannot build from " + SystemRoot.printable(path) + ": " + e.getMessage(), "apt install --reinstall zfs-dkms");
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    Targets targets(ReadinessReport report, List<TargetKernel> named) {
        List<KernelReadiness> rows = new ArrayList<>();
        List<KernelFacts> build = new ArrayList<>();
        List<RebuildPlan.Step> refused = new ArrayList<>();
        List<TargetKernel> initramfsOnly = new ArrayList<>();
        if (named.isEmpty()) {
            for (KernelReadiness r : report.kernels()) {
                if (r.facts().installed() != null && r.verdict() != Verdict.OK) {
                    rows.add(r);
                }
            }
        } else {
            for (TargetKernel k : named) {
                Optional<KernelReadiness> row = report.kernels().stream()
                        .filter(r -> r.facts().release().text().equals(k.release())).findFirst();
                if (row.isEmpty() || row.get().facts().installed() == null) {
                    build.add(new KernelFacts(k, false, headersPresent(k), false, ModuleState.MISSING));
                } else if (!rows.contains(row.get())) {
                    rows.add(row.get());
                }
            }
        }
        rows.sort(Comparator.comparing(r -> !r.nextBoot()));
        for (KernelReadiness r : rows) {
            TargetKernel k = TargetKernel.of(r.facts().release().text());
            boolean installed = r.facts().installed() != null && r.facts().installed().modulesDir() != null
                    && r.facts().installed().image() != null;
            switch (r.verdict()) {
                case OK -> build.add(new KernelFacts(k, installed, headersPresent(k), r.nextBoot(), ModuleState.CURRENT));
                case MISSING -> build.add(new KernelFacts(k, installed, headersPresent(k), r.nextBoot(), ModuleState.MISSING));
                case STALE -> build.add(new KernelFacts(k, installed, headersPresent(k), r.nextBoot(), ModuleState.STALE));
                case NOT_IN_INITRAMFS -> initramfsOnly.add(k);
                case UNSUPPORTED -> refused.add(new RebuildPlan.Refused(k, r.judgement().reason(),
                        "install an OpenZFS release that supports it (zfs-dkms from backports), or keep booting a supported kernel"));
                case UNKNOWN -> refused.add(new RebuildPlan.Refused(k, "cannot tell its state: " + r.judgement().reason(),
                        r.judgement().next() != null ? r.judgement().next() : "zfsguard status --verbose"));
            }
        }
        return new Targets(build, refused, initramfsOnly);
    }

    /** What DKMS needs: {@code /lib/modules/K/build/include}, or the Debian headers tree itself. */
    boolean headersPresent(TargetKernel k) {
        try {
            if (Files.isDirectory(root.resolveAll("/lib/modules/" + k.release() + "/build/include"))) {
                return true;
            }
        } catch (IOException | IllegalArgumentException e) {
            // a dangling or escaping build link: look for the headers package's tree instead
        }
        return Files.isDirectory(root.resolve("/usr/src/linux-headers-" + k.release()), LinkOption.NOFOLLOW_LINKS);
    }

    private HostResources resources() {
        HostResourceProbe probe = new HostResourceProbe(root);
        long disk;
        try {
            disk = probe.freeDiskMiB("/var/lib/dkms");
        } catch (IOException e) {
            throw new UserError("cannot measure free space for /var/lib/dkms: " + SystemRoot.printable(String.valueOf(e.getMessage())),
                    "df -h /var/lib/dkms");
        }
        // The running system's memory only when it is the target; a chroot's /proc, when mounted, shows the same.
        Path meminfo = root.isHost() ? Path.of("/proc/meminfo") : root.resolve("/proc/meminfo");
        long mem = Long.MAX_VALUE;
        if (Files.isReadable(meminfo)) {
            try (InputStream in = Files.newInputStream(meminfo)) {
                mem = HostResourceProbe.availableMemoryMiB(new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8));
            } catch (IOException e) {
                mem = Long.MAX_VALUE;
            }
        }
        return new HostResources(disk, mem);
    }

    private static RebuildPlan plan(Targets t, ZfsSource zfs, HostResources host, int jobs, BuildTools tools) {
        List<RebuildPlan.Step> steps = new ArrayList<>(
                RebuildPlan.plan(t.build(), zfs, host, BuildRequirements.defaults(), jobs, tools).steps());
        steps.addAll(t.refused());
        return new RebuildPlan(steps);
    }

    private String render(RebuildPlan plan, Targets t, boolean initramfs) {
        StringBuilder b = new StringBuilder();
        if (plan.steps().isEmpty() && t.initramfsOnly().isEmpty()) {
            return "nothing to build: every kernel asked for has ZFS\n";
        }
        for (RebuildPlan.Step s : plan.steps()) {
            String k = s.kernel().release();
            if (s instanceof RebuildPlan.Build build) {
                b.append(k).append(": build ZFS ").append(build.invocation().zfsVersion()).append(" (").append(build.why()).append(")\n");
                if (build.replacesModule()) {
                    b.append("    first: back up the boot set of ").append(k).append(" (zfsguard backup --kernel ").append(k).append(")\n");
                }
                b.append("    ").append(build.invocation().render()).append('\n');
                b.append("    then: check that ZFS loads on ").append(k).append(", else restore the backup\n");
                if (initramfs) {
                    b.append("    then: ").append(String.join(" ", initramfsArgv(s.kernel()))).append('\n');
                }
            } else if (s instanceof RebuildPlan.Refused r) {
                b.append(k).append(": refused: ").append(r.reason()).append('\n');
                b.append("    fix: ").append(r.fix()).append('\n');
            } else if (s instanceof RebuildPlan.Skipped sk) {
                b.append(k).append(": nothing to do: ").append(sk.reason()).append('\n');
            }
        }
        for (TargetKernel k : t.initramfsOnly()) {
            b.append(k).append(": refresh the initramfs (the ZFS module is right, the initramfs lacks it)\n");
            b.append("    ").append(String.join(" ", initramfsArgv(k))).append('\n');
        }
        return b.toString();
    }

    private String again(int n) {
        StringBuilder b = new StringBuilder("zfsguard");
        if (!root.isHost()) {
            b.append(" --root ").append(DkmsInvocationQuote.quote(root.path().toString()));
        }
        b.append(" rebuild");
        kernels.forEach(k -> b.append(" --kernel ").append(DkmsInvocationQuote.quote(k)));
        if (jobs != null) {
            b.append(" --jobs ").append(n);
        }
        if (maxTemp != null) {
            b.append(" --max-temp ").append(maxTemp);
        }
        if (resumeTemp != null) {
            b.append(" --resume-temp ").append(resumeTemp);
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- running

    private int runOne(RebuildPlan.Build build, ThermalGuard.Limits limits, boolean initramfs, EventJournal journal,
            BackupStore store, Config config) throws InterruptedException {
        TargetKernel k = build.kernel();
        DkmsInvocation inv = build.invocation();
        journal(journal, "rebuild-started", Map.of("kernel", k.release(), "zfs_version", inv.zfsVersion(), "jobs", inv.jobs()));
        Hooks hooks = new Hooks(build, store, config, initramfs);
        BuildRunner runner = new BuildRunner(root, launcher, new ThermalZones(root), MonotonicClock.system(), sleeper,
                runnerSettings);
        ProgressRenderer progress = confirmation.interactive() ? ProgressRenderer.terminal(out)
                : ProgressRenderer.plain(out, Clock.systemUTC());
        BuildResult result = runner.run(inv, limits, progress, hooks);

        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("kernel", k.release());
        ev.put("zfs_version", inv.zfsVersion());
        ev.put("jobs", inv.jobs());
        ev.put("outcome", result.outcome().name().toLowerCase(java.util.Locale.ROOT));
        ev.put("highest_temperature_c", result.highestMilliCelsius().isPresent()
                ? result.highestMilliCelsius().getAsInt() / 1000.0 : null);
        ev.put("duration_s", result.elapsed().toSeconds());
        ev.put("paused_s", result.pausedTime().toSeconds());
        ev.put("restored", hooks.restoredFrom);
        journal(journal, result.succeeded() ? "rebuild-finished" : "rebuild-aborted", ev);

        if (result.succeeded()) {
            out.println(k + ": ZFS " + inv.zfsVersion() + " built and verified (" + result.highestTemperature() + ")");
            return ExitCodes.OK;
        }
        err.println("zfsguard: " + SystemRoot.printable(result.message()));
        result.outputTail().stream().limit(20).forEach(l -> err.println("zfsguard:   dkms: " + l));
        result.makeLogTail().forEach(l -> err.println("zfsguard:   make.log: " + SystemRoot.printable(l)));
        if (hooks.restoredFrom != null) {
            err.println("zfsguard: the previous ZFS module of " + k + " was restored from backup " + hooks.restoredFrom);
        }
        return switch (result.outcome()) {
            case ABORTED_HOT, ABORTED_PAUSED_TOO_LONG, NOT_STARTED -> ExitCodes.NOT_SAFE;
            default -> ExitCodes.ERROR;
        };
    }

    /** Backup before, verification and restore after one build. */
    private final class Hooks implements BuildHooks {
        private final RebuildPlan.Build build;
        private final BackupStore store;
        private final Config config;
        private final boolean initramfs;
        private BackupSet backup;
        String restoredFrom;

        Hooks(RebuildPlan.Build build, BackupStore store, Config config, boolean initramfs) {
            this.build = build;
            this.store = store;
            this.config = config;
            this.initramfs = initramfs;
        }

        @Override
        public void beforeBuild(DkmsInvocation invocation) throws BuildRefusedException {
            if (!build.replacesModule()) {
                return;
            }
            String k = build.kernel().release();
            try {
                BackupOutcome o = store.backup(k, config.reserveMiB() * 1024 * 1024);
                if (o instanceof BackupOutcome.Created c) {
                    backup = c.set();
                    out.println(k + ": backed up the boot set as " + backup.id());
                } else if (o instanceof BackupOutcome.Refused r) {
                    throw new BuildRefusedException("the module it replaces could not be backed up: " + r.reason());
                }
            } catch (IOException e) {
                throw new BuildRefusedException("the module it replaces could not be backed up: " + e.getMessage());
            }
        }

        @Override
        public BuildResult afterBuild(DkmsInvocation invocation, BuildResult result) {
            TargetKernel k = build.kernel();
            if (!result.succeeded()) {
                restore("the build did not finish");
                return result;
            }
            KernelReadiness row = readiness(k);
            if (row != null && row.verdict() == Verdict.NOT_IN_INITRAMFS && initramfs) {
                if (!refreshInitramfs(k)) {
                    return result.withOutcome(BuildResult.Outcome.FAILED, "ZFS " + invocation.zfsVersion() + " was built for " + k
                            + " but the initramfs could not be refreshed; run: " + String.join(" ", initramfsArgv(k)));
                }
                row = readiness(k);
            }
            if (row != null && row.verdict() == Verdict.OK) {
                return result;
            }
            String why = row == null ? "the kernel is no longer found" : row.verdict().label + ": " + row.judgement().reason();
            restore("the new module did not verify");
            return result.withOutcome(BuildResult.Outcome.FAILED, "DKMS reported success for " + k
                    + " but ZFS would not load on it (" + SystemRoot.printable(why) + ")"
                    + (restoredFrom == null ? "; no earlier module to restore; to remove it: dkms remove zfs/"
                            + invocation.zfsVersion() + " -k " + k : ""));
        }

        private void restore(String why) {
            if (backup == null) {
                return;
            }
            try {
                RestoreOutcome o = new Restorer(root, store, new DpkgOwnership(root), RestoreCommand.depmod)
                        .restore(backup, new Restorer.Options(false, false, false));
                if (o instanceof RestoreOutcome.Restored) {
                    restoredFrom = backup.id();
                } else if (o instanceof RestoreOutcome.Refused r) {
                    err.println("zfsguard: " + why + ", and restoring backup " + backup.id() + " was refused: " + r.reason());
                    err.println("zfsguard:   next: zfsguard restore " + build.kernel() + " --from " + backup.id());
                }
            } catch (IOException e) {
                err.println("zfsguard: " + why + ", and restoring backup " + backup.id() + " failed: " + e.getMessage());
                err.println("zfsguard:   next: zfsguard restore " + build.kernel() + " --from " + backup.id());
            }
        }
    }

    private KernelReadiness readiness(TargetKernel k) {
        for (KernelReadiness r : new ReadinessEngine(root).evaluate().kernels()) {
            if (r.facts().release().text().equals(k.release())) {
                return r;
            }
        }
        return null;
    }

    /** update-initramfs for one kernel, then checks the initramfs holds the module. */
    private boolean refreshInitramfs(TargetKernel k) {
        List<String> argv = initramfsArgv(k);
        out.println(k + ": " + String.join(" ", argv));
        try {
            int status = commands.run(argv, out);
            if (status != 0) {
                err.println("zfsguard: update-initramfs for " + k + " failed with exit status " + status);
                return false;
            }
        } catch (IOException e) {
            err.println("zfsguard: cannot run update-initramfs for " + k + ": " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        KernelReadiness row = readiness(k);
        if (row == null || row.verdict() != Verdict.OK) {
            err.println("zfsguard: after update-initramfs, " + k + " is still "
                    + (row == null ? "not found" : row.verdict().label + ": " + row.judgement().reason()));
            return false;
        }
        return true;
    }

    List<String> initramfsArgv(TargetKernel k) {
        List<String> argv = new ArrayList<>(chrootPrefix(root));
        argv.add(root.isHost() ? "/usr/sbin/update-initramfs" : "update-initramfs");
        argv.addAll(List.of("-u", "-k", k.release()));
        return argv;
    }

    /** A target other than / runs its own dkms and update-initramfs, with its own compiler and headers. */
    static List<String> chrootPrefix(SystemRoot root) {
        return root.isHost() ? List.of() : List.of("/usr/sbin/chroot", root.path().toString());
    }

    static BuildTools standardTools(SystemRoot root) {
        BuildTools std = BuildTools.standard();
        List<String> dkms = new ArrayList<>(chrootPrefix(root));
        dkms.addAll(std.dkms());
        return new BuildTools(std.nice(), std.ionice(), dkms);
    }

    private int finish(int code) {
        ReadinessReport fresh = new ReadinessEngine(root).evaluate();
        switch (fresh.overall()) {
            case SAFE -> out.println("SAFE TO REBOOT");
            case UNKNOWN -> out.println("NOT SAFE TO REBOOT: cannot tell: " + SystemRoot.printable(fresh.overallReason()));
            default -> out.println("NOT SAFE TO REBOOT: " + SystemRoot.printable(fresh.overallReason()));
        }
        out.flush();
        if (fresh.overall() == ReadinessReport.Overall.SAFE) {
            return code;
        }
        return Math.max(code, fresh.overall() == ReadinessReport.Overall.UNKNOWN ? ExitCodes.ERROR : ExitCodes.NOT_SAFE);
    }

    private void journal(EventJournal journal, String event, Map<String, ?> fields) {
        try {
            journal.append(event, fields);
        } catch (IOException | RuntimeException e) {
            err.println("zfsguard: WARNING: could not write the event journal: " + e.getMessage());
        }
    }

    private static int runProcess(List<String> argv, PrintWriter out) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.println("    " + SystemRoot.printable(line));
            }
        }
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException(argv.get(0) + " did not finish within 30 minutes");
        }
        return p.exitValue();
    }

    /** Shell quoting for the next-command lines. */
    private static final class DkmsInvocationQuote {
        private static final java.util.regex.Pattern SAFE = java.util.regex.Pattern.compile("[A-Za-z0-9._+~/=:,@%-]+");

        static String quote(String s) {
            String p = SystemRoot.printable(s);
            return SAFE.matcher(p).matches() ? p : "'" + p.replace("'", "'\\''") + "'";
        }
    }

    static void resetForTests() {
        tools = RebuildCommand::standardTools;
        launcher = new SystemProcessLauncher();
        runnerSettings = BuildRunner.Settings.defaults();
        sleeper = Sleeper.system();
        commands = RebuildCommand::runProcess;
        confirmation = Confirmation.system();
    }
}
