package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.zfsguard.rebuild.GroupSignal.CONT;
import static org.zfsguard.rebuild.GroupSignal.KILL;
import static org.zfsguard.rebuild.GroupSignal.STOP;
import static org.zfsguard.rebuild.GroupSignal.TERM;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.IntConsumer;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.rebuild.BuildResult.Outcome;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.thermal.ThermalGuard;
import org.zfsguard.thermal.ThermalSnapshot;
import org.zfsguard.thermal.ZoneKind;
import org.zfsguard.thermal.ZoneReading;

class BuildRunnerTest {
    private static final KernelRelease K = KernelRelease.parse("6.12.58-current-rockchip64");
    private static final DkmsInvocation INV = DkmsInvocation.of("2.4.0", K, 1, false);
    private static final ThermalGuard.Limits LIMITS = ThermalGuard.Limits.celsius(80, 70, Duration.ofMinutes(30));

    @TempDir
    Path fakeRoot;

    final FakeLauncher launcher = new FakeLauncher();
    final List<String> events = new ArrayList<>();
    final List<BuildStatus> statuses = new ArrayList<>();
    long nanos;
    int tick;
    int milli = 50_000;
    boolean noZones;
    boolean onlyGpu;
    IntConsumer onTick = t -> { };

    final ProgressListener listener = new ProgressListener() {
        @Override
        public void status(BuildStatus status) {
            statuses.add(status);
        }

        @Override
        public void event(String message) {
            events.add(message);
        }
    };

    BuildRunner runner;

    @BeforeEach
    void setUp() {
        runner = new BuildRunner(SystemRoot.at(fakeRoot), launcher, this::snapshot, () -> nanos,
                d -> {
                    nanos += d.toNanos();
                    onTick.accept(++tick);
                }, BuildRunner.Settings.defaults());
    }

    private ThermalSnapshot snapshot() {
        if (noZones) {
            return new ThermalSnapshot(List.of());
        }
        if (onlyGpu) {
            return new ThermalSnapshot(List.of(new ZoneReading.Valid("thermal_zone0", "gpu-thermal", ZoneKind.ACCELERATOR,
                    milli, OptionalInt.empty()), new ZoneReading.Rejected("thermal_zone1", "cpu-thermal", "temp is -22")));
        }
        return new ThermalSnapshot(List.of(new ZoneReading.Valid("thermal_zone0", "soc-thermal", ZoneKind.CPU, milli,
                OptionalInt.of(95_000))));
    }

    private BuildResult run() throws InterruptedException {
        return runner.run(INV, LIMITS, listener, BuildHooks.NONE);
    }

    @Test
    void successfulBuildPassesTheInvocationThrough() throws Exception {
        launcher.output("Building module:").output("Cleaning build area...").output(" - Installation");
        BuildResult r = run();

        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(r.exitCode()).hasValue(0);
        assertThat(r.makeLogTail()).isEmpty();
        assertThat(r.highestMilliCelsius()).hasValue(50_000);
        assertThat(r.message()).startsWith("built ZFS 2.4.0 for 6.12.58-current-rockchip64 in 0m")
                .endsWith("highest temperature 50.0 C");
        assertThat(launcher.argv).isEqualTo(INV.argv());
        assertThat(launcher.set).containsEntry("parallel_jobs", "1");
        assertThat(launcher.unset).contains("MAKEFLAGS");
        assertThat(launcher.build.signals).isEmpty();
        assertThat(launcher.build.closed).isTrue();
        assertThat(statuses).last().extracting(BuildStatus::percent).isEqualTo(100);
        assertThat(events.get(0)).startsWith("temperature: thermal_zone0 (soc-thermal) 50.0 C")
                .endsWith("pausing at 80 C, resuming at 70 C");
    }

    @Test
    void progressComesFromTheMakeLog() throws Exception {
        Path log = fakeRoot.resolve("var/lib/dkms/zfs/2.4.0/build/make.log");
        Files.createDirectories(log.getParent());
        launcher.output("Building module:").output().output().output();
        onTick = t -> {
            try {
                if (t == 1) {
                    Files.writeString(log, "DKMS make.log for zfs-2.4.0\n" + "  CC [M]  module/zfs/arc.o\n".repeat(140));
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        };
        run();
        assertThat(statuses).anySatisfy(s -> {
            assertThat(s.phase()).isEqualTo(BuildPhase.COMPILE);
            assertThat(s.percent()).isEqualTo(50);
            assertThat(s.units()).isEqualTo(140);
        });
    }

    @Test
    void failureReportsMakeLogPathAndItsLastLines() throws Exception {
        Path log = fakeRoot.resolve("var/lib/dkms/zfs/2.4.0/build/make.log");
        Files.createDirectories(log.getParent());
        launcher.output("Building module:").output("make -j1 KERNELRELEASE=6.12.58-current-rockchip64...(bad exit status: 2)",
                "Error! Bad return status for module build on kernel: 6.12.58-current-rockchip64 (aarch64)");
        launcher.exitStatus = 10;
        onTick = t -> {
            try {
                if (t == 1) {
                    Files.writeString(log, "  CC [M]  module/zfs/arc.o\nmodule/zfs/arc.c:1:1: error: boom\nmake: *** Error 2\n");
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        };
        BuildResult r = run();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.exitCode()).hasValue(10);
        assertThat(r.makeLog()).isEqualTo("/var/lib/dkms/zfs/2.4.0/build/make.log");
        assertThat(r.makeLogTail()).containsExactly("  CC [M]  module/zfs/arc.o", "module/zfs/arc.c:1:1: error: boom",
                "make: *** Error 2");
        assertThat(r.outputTail()).last().asString().startsWith("Error! Bad return status");
        assertThat(r.message()).isEqualTo("dkms failed with exit status 10 building ZFS 2.4.0 for "
                + "6.12.58-current-rockchip64 (the compile failed); see /var/lib/dkms/zfs/2.4.0/build/make.log");
    }

    @Test
    void pausesAtTheLimitAndResumesBelowHysteresis() throws Exception {
        launcher.output("a").output("b").output("c").output("d").output("e");
        // tick 1: 82 C -> pause; ticks 2-3 cooling but above 70 -> stay paused; tick 4: 70 C -> resume
        onTick = t -> milli = switch (t) {
            case 1 -> 82_000;
            case 2 -> 76_000;
            case 3 -> 71_000;
            default -> 70_000;
        };
        BuildResult r = run();
        assertThat(launcher.build.signals).containsExactly(STOP, CONT);
        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(r.pauses()).isEqualTo(1);
        assertThat(r.pausedTime()).isEqualTo(Duration.ofSeconds(9));
        assertThat(r.highestMilliCelsius()).hasValue(82_000);
        assertThat(events).anyMatch(e -> e.contains("pausing until 70.0 C")).anyMatch(e -> e.contains("resuming"));
        assertThat(statuses).anyMatch(BuildStatus::paused);
    }

    @Test
    void criticalTripStopsTheGroupCleanly() throws Exception {
        for (int i = 0; i < 50; i++) {
            launcher.output("  CC [M]  module/zfs/x" + i + ".o");
        }
        onTick = t -> milli = t >= 2 ? 96_000 : 60_000;
        BuildResult r = run();
        assertThat(r.outcome()).isEqualTo(Outcome.ABORTED_HOT);
        assertThat(launcher.build.signals).containsExactly(TERM, CONT);
        assertThat(r.exitCode()).hasValue(143);
        assertThat(r.highestMilliCelsius()).hasValue(96_000);
        assertThat(r.message()).contains("critical trip point (95.0 C)").contains("highest temperature 96.0 C");
    }

    @Test
    void criticalWhilePausedContinuesSoTheTermIsDelivered() throws Exception {
        for (int i = 0; i < 50; i++) {
            launcher.output("line " + i);
        }
        onTick = t -> milli = t == 1 ? 85_000 : 97_000;
        BuildResult r = run();
        assertThat(launcher.build.signals).containsExactly(STOP, TERM, CONT);
        assertThat(r.outcome()).isEqualTo(Outcome.ABORTED_HOT);
    }

    @Test
    void buildIgnoringTermIsKilled() throws Exception {
        for (int i = 0; i < 50; i++) {
            launcher.output("line " + i);
        }
        launcher.ignoresTerm = true;
        onTick = t -> milli = 99_000;
        BuildResult r = run();
        assertThat(launcher.build.signals).containsExactly(TERM, CONT, KILL);
        assertThat(r.exitCode()).hasValue(137);
        assertThat(r.outcome()).isEqualTo(Outcome.ABORTED_HOT);
    }

    @Test
    void pausedTooLongIsAborted() throws Exception {
        for (int i = 0; i < 5; i++) {
            launcher.output("line " + i);
        }
        onTick = t -> milli = 78_000;
        milli = 81_000;
        BuildResult r = run();
        assertThat(r.outcome()).isEqualTo(Outcome.ABORTED_PAUSED_TOO_LONG);
        assertThat(launcher.build.signals).containsExactly(STOP, TERM, CONT);
        assertThat(Duration.ofNanos(nanos)).isGreaterThanOrEqualTo(Duration.ofMinutes(30));
        assertThat(r.message()).contains("after 30 minutes paused");
    }

    @Test
    void withoutThermalZonesItSaysSoAndBuilds() throws Exception {
        noZones = true;
        launcher.output("a").output("b");
        BuildResult r = run();
        assertThat(events.get(0)).isEqualTo("no thermal zones: building without a temperature limit");
        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(r.highestMilliCelsius()).isEmpty();
        assertThat(r.highestTemperature()).isEqualTo("no temperature reading");
        assertThat(r.message()).endsWith("no temperature reading");
    }

    @Test
    void unusableZonesAreNamedAndTheBuildRunsWithoutALimit() throws Exception {
        onlyGpu = true;
        milli = 90_000;
        launcher.output("a").output("b");
        BuildResult r = run();
        assertThat(events.get(0)).isEqualTo("no usable CPU or SoC thermal zone: thermal_zone0 (gpu-thermal): not a CPU or"
                + " SoC zone; thermal_zone1 (cpu-thermal): temp is -22; building without a temperature limit");
        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(launcher.build.signals).isEmpty();
        assertThat(r.highestMilliCelsius()).isEmpty();
    }

    @Test
    void signalFailureStopsTheBuildRatherThanRunningUnguarded() throws Exception {
        launcher.output("a").output("b").output("c");
        milli = 85_000;
        launcher.signalFailure = new IOException("kill: (-4242) - No such process");
        BuildResult r = run();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(events).anyMatch(e -> e.startsWith("cannot signal the build"));
    }

    @Test
    void beforeHookCanRefuseAndNothingStarts() throws Exception {
        BuildResult r = runner.run(INV, LIMITS, listener, new BuildHooks() {
            @Override
            public void beforeBuild(DkmsInvocation invocation) throws BuildRefusedException {
                throw new BuildRefusedException("backup of the old module failed");
            }
        });
        assertThat(r.outcome()).isEqualTo(Outcome.NOT_STARTED);
        assertThat(r.message()).endsWith("not started: backup of the old module failed");
        assertThat(launcher.build).isNull();
    }

    @Test
    void afterHookSeesEveryOutcomeAndDecidesTheResult() throws Exception {
        launcher.output("a");
        List<Outcome> seen = new ArrayList<>();
        BuildResult r = runner.run(INV, LIMITS, listener, new BuildHooks() {
            @Override
            public BuildResult afterBuild(DkmsInvocation invocation, BuildResult result) {
                seen.add(result.outcome());
                return result.withOutcome(Outcome.FAILED, "verification failed: vermagic mismatch; previous module restored");
            }
        });
        assertThat(seen).containsExactly(Outcome.SUCCESS);
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.message()).startsWith("verification failed");
    }

    @Test
    void launchFailureIsReportedNotThrown() throws Exception {
        launcher.startFailure = new IOException("Cannot run program \"/usr/bin/setsid\": error=2");
        BuildResult r = run();
        assertThat(r.outcome()).isEqualTo(Outcome.NOT_STARTED);
        assertThat(r.message()).contains("cannot start dkms");
    }

    @Test
    void expectedUnitsComeFromAnEarlierLogOfTheSameVersion() throws Exception {
        Path log = fakeRoot.resolve("var/lib/dkms/zfs/2.4.0/build/make.log");
        Files.createDirectories(log.getParent());
        Files.writeString(log, "  CC [M]  old.o\n".repeat(100));
        launcher.output("Building module:").output().output();
        onTick = t -> {
            try {
                if (t == 1) {
                    Files.delete(log);
                    Files.writeString(log, "  CC [M]  module/zfs/new.o\n".repeat(50));
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        };
        run();
        assertThat(statuses).anySatisfy(s -> assertThat(s.percent()).isEqualTo(50));
    }

    @Test
    void expectedUnitsComeFromTheLogDkmsKeptForAnotherKernel() throws Exception {
        Path kept = fakeRoot.resolve("var/lib/dkms/zfs/2.4.0/6.12.57-current-rockchip64/aarch64/log/make.log");
        Files.createDirectories(kept.getParent());
        Files.writeString(kept, "  CC [M]  module/zfs/a.o\n".repeat(274));
        assertThat(runner.expectedUnits(INV)).isEqualTo(274);
    }

    @Test
    void expectedUnitsFallBackToTheDefaultWithoutAUsableLog() throws Exception {
        assertThat(runner.expectedUnits(INV)).isEqualTo(BuildProgress.DEFAULT_EXPECTED_UNITS);
        Path partial = fakeRoot.resolve("var/lib/dkms/zfs/2.4.0/build/make.log");
        Files.createDirectories(partial.getParent());
        Files.writeString(partial, "  CC [M]  module/zfs/a.o\n".repeat(12));
        assertThat(runner.expectedUnits(INV)).isEqualTo(BuildProgress.DEFAULT_EXPECTED_UNITS);
    }

    @Test
    void explainsDkmsExitStatuses() {
        assertThat(BuildRunner.explain(OptionalInt.of(77))).contains("BUILD_EXCLUSIVE");
        assertThat(BuildRunner.explain(OptionalInt.of(21))).contains("headers");
        assertThat(BuildRunner.explain(OptionalInt.of(3))).isEmpty();
        assertThat(BuildRunner.explain(OptionalInt.empty())).isEmpty();
    }

    @Test
    void durationFormat() {
        assertThat(BuildRunner.format(Duration.ofSeconds(724))).isEqualTo("12m04s");
        assertThat(BuildRunner.format(Duration.ofSeconds(3725))).isEqualTo("1h02m05s");
        assertThat(BuildRunner.format(Duration.ofSeconds(-5))).isEqualTo("0m00s");
    }
}
