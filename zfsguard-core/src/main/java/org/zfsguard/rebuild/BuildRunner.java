package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zfsguard.rebuild.BuildResult.Outcome;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.thermal.ThermalGuard;
import org.zfsguard.thermal.ThermalSample;
import org.zfsguard.thermal.ThermalSnapshot;
import org.zfsguard.thermal.ThermalSource;

/**
 * Runs one DKMS build under the thermal guard: starts it, polls temperature and output
 * every few seconds, pauses and resumes the whole process group, stops it when the SoC
 * reaches its critical trip point or stays paused too long, and reports how it ended.
 *
 * <p>The caller serialises builds (one at a time, under zfsguard's lock) and plugs backup,
 * verification and restore in through {@link BuildHooks}.
 */
public final class BuildRunner {
    private static final Logger LOG = LoggerFactory.getLogger(BuildRunner.class);

    /**
     * @param pollInterval   time between two temperature checks; a few seconds is fast
     *                       enough for a SoC heating at well under 1 C per second under one job
     * @param termGrace      how long a stopped build gets to exit after SIGTERM before SIGKILL
     * @param tailLines      how many lines of make.log and DKMS output a failure reports
     * @param expectedUnits  compile units expected, for the progress estimate
     */
    public record Settings(Duration pollInterval, Duration termGrace, int tailLines, int expectedUnits) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(3), Duration.ofSeconds(15), 20, BuildProgress.DEFAULT_EXPECTED_UNITS);
        }
    }

    private final SystemRoot root;
    private final ProcessLauncher launcher;
    private final ThermalSource thermal;
    private final MonotonicClock clock;
    private final Sleeper sleeper;
    private final Settings settings;

    public BuildRunner(SystemRoot root, ProcessLauncher launcher, ThermalSource thermal, MonotonicClock clock,
            Sleeper sleeper, Settings settings) {
        this.root = Objects.requireNonNull(root);
        this.launcher = Objects.requireNonNull(launcher);
        this.thermal = Objects.requireNonNull(thermal);
        this.clock = Objects.requireNonNull(clock);
        this.sleeper = Objects.requireNonNull(sleeper);
        this.settings = Objects.requireNonNull(settings);
    }

    /** Runs {@code invocation}; never throws for build problems, they are in the result. */
    public BuildResult run(DkmsInvocation invocation, ThermalGuard.Limits limits, ProgressListener listener,
            BuildHooks hooks) throws InterruptedException {
        KernelRelease kernel = invocation.kernel();
        ThermalGuard guard = new ThermalGuard(limits);
        ThermalSnapshot first = thermal.read();
        if (first.noZones()) {
            listener.event("no thermal zones: building without a temperature limit");
        } else if (first.hottest().isEmpty()) {
            // Zones exist but none is a usable CPU/SoC reading; say which and why, and build
            // as without zones (a reading that appears later is still honoured).
            listener.event(first.describe() + "; building without a temperature limit");
        } else {
            listener.event("temperature: " + first.describe() + String.format(
                    "; pausing at %.0f C, resuming at %.0f C", limits.maxMilliCelsius() / 1000.0,
                    limits.resumeMilliCelsius() / 1000.0));
        }
        try {
            hooks.beforeBuild(invocation);
        } catch (BuildHooks.BuildRefusedException e) {
            return notStarted(invocation, e.getMessage());
        }

        Path makeLogHost = root.resolve(invocation.makeLogPath());
        int expected = expectedUnits(invocation);
        BuildProgress progress = new BuildProgress(expected);
        MakeLogFollower makeLog = MakeLogFollower.skippingExisting(makeLogHost);
        Deque<String> outputTail = new ArrayDeque<>();
        long start = clock.nanos();

        RunningBuild build;
        try {
            build = launcher.start(invocation.argv(), invocation.environment(), DkmsInvocation.CLEARED_ENVIRONMENT);
        } catch (IOException e) {
            return hooks.afterBuild(invocation, notStarted(invocation, "cannot start dkms: " + e.getMessage()));
        }
        ThermalGuard.Decision abort = null;
        OptionalInt exit;
        try (build) {
            OptionalInt lastTemp = OptionalInt.empty();
            ThermalSample sample = first.sample();
            while (true) {
                consume(build.drainOutput(), progress, outputTail);
                consume(makeLog.readNew(), progress, null);
                exit = build.exitCode();
                if (exit.isPresent()) {
                    consume(build.drainOutput(), progress, outputTail);
                    consume(makeLog.readNew(), progress, null);
                    break;
                }
                long now = clock.nanos();
                ThermalGuard.Decision d = guard.observe(sample, now);
                lastTemp = sample.available() ? OptionalInt.of(sample.milliCelsius()) : OptionalInt.empty();
                if (!act(d, build, listener)) {
                    abort = d;
                    exit = terminate(build);
                    consume(build.drainOutput(), progress, outputTail);
                    consume(makeLog.readNew(), progress, null);
                    break;
                }
                listener.status(new BuildStatus(kernel, progress.phase(), progress.percent(), progress.units(), lastTemp,
                        guard.state() == ThermalGuard.State.PAUSED, Duration.ofNanos(clock.nanos() - start)));
                sleeper.sleep(settings.pollInterval());
                sample = thermal.read().sample();
            }
        } catch (InterruptedException e) {
            // Leave no stopped or running build behind when zfsguard itself is interrupted.
            terminateQuietly(build);
            throw e;
        }
        Duration elapsed = Duration.ofNanos(clock.nanos() - start);
        long end = clock.nanos();
        BuildResult result = result(invocation, guard, abort, exit, makeLogHost, outputTail, elapsed, end);
        if (result.succeeded()) {
            progress.advance(BuildPhase.INSTALL);
        }
        listener.status(new BuildStatus(kernel, progress.phase(), progress.percent(), progress.units(),
                OptionalInt.empty(), false, elapsed));
        listener.finish();
        listener.event(result.message());
        return hooks.afterBuild(invocation, result);
    }

    /** Carries a guard decision out; false when the build must be stopped. */
    private boolean act(ThermalGuard.Decision d, RunningBuild build, ProgressListener listener) {
        try {
            switch (d.action()) {
                case PAUSE -> {
                    build.signalGroup(GroupSignal.STOP);
                    listener.event(d.message());
                }
                case RESUME -> {
                    build.signalGroup(GroupSignal.CONT);
                    listener.event(d.message());
                }
                case ABORT -> {
                    listener.event(d.message());
                    return false;
                }
                case CONTINUE -> {
                }
            }
            return true;
        } catch (IOException e) {
            // A build that cannot be paused must not run on unguarded: stop it.
            listener.event("cannot signal the build (" + e.getMessage() + "): stopping it");
            LOG.warn("signalling build {} failed", build, e);
            return false;
        }
    }

    /** Continue-then-terminate the group, then kill it after the grace period. */
    private OptionalInt terminate(RunningBuild build) throws InterruptedException {
        try {
            build.signalGroup(GroupSignal.TERM);
            build.signalGroup(GroupSignal.CONT);
        } catch (IOException e) {
            LOG.warn("SIGTERM to build {} failed: {}", build, e.getMessage());
        }
        if (!build.awaitExit(settings.termGrace())) {
            try {
                build.signalGroup(GroupSignal.KILL);
            } catch (IOException e) {
                LOG.warn("SIGKILL to build {} failed: {}", build, e.getMessage());
            }
            build.awaitExit(settings.termGrace());
        }
        return build.exitCode();
    }

    private void terminateQuietly(RunningBuild build) {
        try {
            build.signalGroup(GroupSignal.TERM);
            build.signalGroup(GroupSignal.CONT);
        } catch (IOException e) {
            LOG.warn("stopping build {} failed: {}", build, e.getMessage());
        }
    }

    private BuildResult result(DkmsInvocation inv, ThermalGuard guard, ThermalGuard.Decision abort, OptionalInt exit,
            Path makeLogHost, Deque<String> outputTail, Duration elapsed, long end) {
        Outcome outcome;
        String message;
        String temp = guard.highestMilliCelsius().isPresent()
                ? String.format("highest temperature %.1f C", guard.highestMilliCelsius().getAsInt() / 1000.0)
                : "no temperature reading";
        if (abort != null) {
            outcome = abort.abortReason() == ThermalGuard.AbortReason.PAUSED_TOO_LONG
                    ? Outcome.ABORTED_PAUSED_TOO_LONG
                    : abort.abortReason() == ThermalGuard.AbortReason.CRITICAL_TEMPERATURE
                            ? Outcome.ABORTED_HOT : Outcome.FAILED;
            message = "build of ZFS " + inv.zfsVersion() + " for " + inv.kernel() + " stopped: "
                    + (abort.message() != null ? abort.message() : "could not be controlled") + "; " + temp;
        } else if (exit.isPresent() && exit.getAsInt() == 0) {
            outcome = Outcome.SUCCESS;
            message = "built ZFS " + inv.zfsVersion() + " for " + inv.kernel() + " in " + format(elapsed) + "; " + temp;
        } else {
            outcome = Outcome.FAILED;
            message = "dkms failed" + (exit.isPresent() ? " with exit status " + exit.getAsInt() : "") + " building ZFS "
                    + inv.zfsVersion() + " for " + inv.kernel() + explain(exit) + "; see " + inv.makeLogPath();
        }
        List<String> tail = outcome == Outcome.SUCCESS ? List.of() : MakeLogFollower.tail(makeLogHost, settings.tailLines());
        return new BuildResult(outcome, inv.kernel(), exit, inv.makeLogPath(), tail,
                outcome == Outcome.SUCCESS ? List.of() : List.copyOf(outputTail), guard.highestMilliCelsius(), elapsed,
                guard.pausedTime(end), guard.pauses(), message);
    }

    /** What DKMS's exit statuses mean (dkms 2.8-3.x, FIELD-NOTES §2). */
    static String explain(OptionalInt exit) {
        if (exit.isEmpty()) {
            return "";
        }
        return switch (exit.getAsInt()) {
            case 10 -> " (the compile failed)";
            case 1, 21 -> " (kernel headers missing or unusable, or dkms refused the arguments)";
            case 77 -> " (skipped: BUILD_EXCLUSIVE rules of zfs's dkms.conf exclude this kernel, e.g. PREEMPT_RT)";
            default -> "";
        };
    }

    private BuildResult notStarted(DkmsInvocation inv, String why) {
        return new BuildResult(Outcome.NOT_STARTED, inv.kernel(), OptionalInt.empty(), inv.makeLogPath(), List.of(),
                List.of(), OptionalInt.empty(), Duration.ZERO, Duration.ZERO, 0,
                "build of ZFS " + inv.zfsVersion() + " for " + inv.kernel() + " not started: " + why);
    }

    private void consume(List<String> lines, BuildProgress progress, Deque<String> tail) {
        for (String line : lines) {
            progress.accept(line);
            if (tail != null) {
                tail.addLast(SystemRoot.printable(line));
                if (tail.size() > settings.tailLines()) {
                    tail.removeFirst();
                }
            }
        }
    }

    /**
     * An earlier make.log of the same version counts the units of this build better than a
     * constant: the one in the build directory (kept after a failure), or the copies DKMS
     * keeps per kernel in {@code /var/lib/dkms/zfs/<v>/<k>/<arch>/log/} after a success.
     */
    int expectedUnits(DkmsInvocation inv) {
        int best = BuildProgress.countUnits(MakeLogFollower.tail(root.resolve(inv.makeLogPath()), 100_000));
        Path versionDir = root.resolve("/var/lib/dkms/" + DkmsInvocation.MODULE + "/" + inv.zfsVersion());
        if (Files.isDirectory(versionDir, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> kernels = Files.newDirectoryStream(versionDir)) {
                int seen = 0;
                for (Path k : kernels) {
                    if (++seen > 64 || !Files.isDirectory(k, LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    try (DirectoryStream<Path> arches = Files.newDirectoryStream(k)) {
                        for (Path arch : arches) {
                            Path log = arch.resolve("log/make.log");
                            if (Files.isDirectory(arch, LinkOption.NOFOLLOW_LINKS)
                                    && Files.isDirectory(log.getParent(), LinkOption.NOFOLLOW_LINKS)) {
                                best = Math.max(best, BuildProgress.countUnits(MakeLogFollower.tail(log, 100_000)));
                            }
                        }
                    }
                }
            } catch (IOException e) {
                LOG.debug("no earlier make.log for an estimate: {}", e.getMessage());
            }
        }
        return best >= 50 ? best : settings.expectedUnits();
    }

    static String format(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s >= 3600 ? String.format("%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                : String.format("%dm%02ds", s / 60, s % 60);
    }
}
