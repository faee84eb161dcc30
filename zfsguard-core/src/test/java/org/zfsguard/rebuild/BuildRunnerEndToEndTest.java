package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.rebuild.BuildResult.Outcome;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.thermal.FakeSysfs;
import org.zfsguard.thermal.ThermalGuard;
import org.zfsguard.thermal.ThermalZones;

/**
 * Runs the real launcher (ProcessBuilder, setsid, kill) on the fake-dkms script and a
 * fake thermal tree whose temperature the test rewrites while the build runs.
 */
class BuildRunnerEndToEndTest {
    private static final KernelRelease K = KernelRelease.parse("6.12.58-current-rockchip64");
    private static final String MAKE_LOG = "var/lib/dkms/zfs/2.4.0/build/make.log";
    private static final ThermalGuard.Limits LIMITS = ThermalGuard.Limits.celsius(80, 70, Duration.ofMinutes(30));

    @TempDir
    Path fakeRoot;
    @TempDir
    Path work;

    Path record;
    FakeSysfs sysfs;
    final Map<String, String> fakeEnv = new HashMap<>();
    final List<String> events = new ArrayList<>();
    final List<String> problems = new ArrayList<>();

    @BeforeEach
    void setUp() {
        record = work.resolve("fake-dkms.record");
        sysfs = new FakeSysfs(fakeRoot).zone(0, "soc-thermal", "50000").trip(0, 0, "critical", "95000")
                .zone(1, "gpu-thermal", "40000");
        fakeEnv.put("FAKE_DKMS_RECORD", record.toString());
        fakeEnv.put("FAKE_DKMS_ROOT", fakeRoot.toString());
        fakeEnv.put("FAKE_DKMS_UNITS", "40");
        fakeEnv.put("FAKE_DKMS_DELAY", "0.05");
    }

    @AfterEach
    void killLeftovers() throws Exception {
        // Never leave a stopped or hanging fake behind, whatever the test did.
        long pid = pidOrZero();
        if (pid > 0) {
            new ProcessBuilder("/bin/kill", "-s", "KILL", "--", "-" + pid).start().waitFor(5, TimeUnit.SECONDS);
        }
    }

    private BuildResult run(Consumer<BuildStatus> onStatus) throws Exception {
        ProcessLauncher real = new SystemProcessLauncher();
        ProcessLauncher withFakeEnv = (argv, set, unset) -> {
            Map<String, String> env = new HashMap<>(set);
            env.putAll(fakeEnv);
            return real.start(argv, env, unset);
        };
        BuildTools tools = new BuildTools("/usr/bin/nice", "/usr/bin/ionice", List.of("/bin/sh", fakeDkms()));
        DkmsInvocation inv = new DkmsInvocation("2.4.0", K, 1, false, tools);
        BuildRunner runner = new BuildRunner(SystemRoot.at(fakeRoot), withFakeEnv, new ThermalZones(SystemRoot.at(fakeRoot)),
                MonotonicClock.system(), d -> Thread.sleep(50),
                new BuildRunner.Settings(Duration.ofMillis(50), Duration.ofSeconds(5), 20, 40));
        return runner.run(inv, LIMITS, new ProgressListener() {
            @Override
            public void status(BuildStatus status) {
                try {
                    onStatus.accept(status);
                } catch (RuntimeException e) {
                    problems.add(e.toString());
                }
            }

            @Override
            public void event(String message) {
                events.add(message);
            }
        }, BuildHooks.NONE);
    }

    private static String fakeDkms() throws URISyntaxException {
        return Path.of(BuildRunnerEndToEndTest.class.getResource("/fake-dkms").toURI()).toString();
    }

    private List<String> recorded(String key) throws IOException {
        return Files.readAllLines(record).stream().filter(l -> l.startsWith(key + ": "))
                .map(l -> l.substring(key.length() + 2)).toList();
    }

    private long pidOrZero() {
        try {
            return Files.exists(record) ? recorded("pid").stream().findFirst().map(Long::parseLong).orElse(0L) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private int compiledUnits() {
        try {
            return BuildProgress.countUnits(Files.readAllLines(fakeRoot.resolve(MAKE_LOG)));
        } catch (IOException e) {
            return -1;
        }
    }

    /** Live members of a process group as pid -> {state, ppid}. */
    private static Map<Long, String[]> members(long pgid) throws IOException {
        Map<Long, String[]> members = new HashMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    String s = Files.readString(p.resolve("stat"));
                    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
                    if (f[2].equals(Long.toString(pgid)) && !f[0].equals("Z")) {
                        members.put(Long.parseLong(p.getFileName().toString()), new String[] {f[0], f[1]});
                    }
                } catch (IOException | RuntimeException e) {
                    // the process ended while we looked
                }
            }
        }
        return members;
    }

    /**
     * True when no member of the group can run: each is stopped ('T'), or is a parent in
     * uninterruptible sleep ('D') waiting for a vforked child that is stopped (dash and
     * posix_spawn use vfork; the parent stays in D until the child execs).
     */
    private static boolean groupStopped(long pgid) throws IOException {
        Map<Long, String[]> m = members(pgid);
        if (m.isEmpty()) {
            return false;
        }
        for (Map.Entry<Long, String[]> e : m.entrySet()) {
            String state = e.getValue()[0];
            boolean parentOfStopped = m.values().stream()
                    .anyMatch(c -> c[0].equals("T") && c[1].equals(Long.toString(e.getKey())));
            if (!state.equals("T") && !(state.equals("D") && parentOfStopped)) {
                return false;
            }
        }
        return true;
    }

    /** Waits (up to 30 s, normally milliseconds) until the signal has taken effect on every member. */
    private static boolean awaitGroupStopped(long pgid) throws Exception {
        for (int i = 0; i < 3000; i++) {
            if (groupStopped(pgid)) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    /** Live (not zombie) processes whose process group is {@code pgid}. */
    private static List<Long> liveMembers(long pgid) throws IOException {
        return new ArrayList<>(members(pgid).keySet());
    }

    /** Waits until a live member of group {@code pgid} has {@code arg} on its command line. */
    private static boolean awaitMember(long pgid, String arg) throws Exception {
        for (int i = 0; i < 500; i++) {
            for (long pid : liveMembers(pgid)) {
                try {
                    String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
                    if (cmdline.contains(" " + arg)) {
                        return true;
                    }
                } catch (IOException e) {
                    // ended meanwhile
                }
            }
            Thread.sleep(10);
        }
        return false;
    }


    @Test
    void pausesAtTheLimitResumesBelowHysteresisAndSucceeds() throws Exception {
        int[] step = {0};
        int[] unitsAtPause = {-1};
        int[] pausedPolls = {0};
        List<Boolean> stoppedWhilePaused = new ArrayList<>();
        List<Integer> unitsWhilePaused = new ArrayList<>();

        BuildResult r = run(s -> {
            switch (step[0]) {
                case 0 -> {
                    if (s.units() >= 8) {
                        sysfs.setTemp(0, "85000");
                        step[0] = 1;
                    }
                }
                case 1 -> {
                    if (s.paused()) {
                        try {
                            stoppedWhilePaused.add(awaitGroupStopped(pidOrZero()));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        unitsAtPause[0] = compiledUnits();
                        step[0] = 2;
                    }
                }
                case 2 -> {
                    unitsWhilePaused.add(compiledUnits());
                    if (++pausedPolls[0] == 5) {
                        sysfs.setTemp(0, "65000");
                        step[0] = 3;
                    }
                }
                default -> {
                }
            }
        });

        assertThat(problems).isEmpty();
        assertThat(r.outcome()).as(r.message()).isEqualTo(Outcome.SUCCESS);
        assertThat(r.exitCode()).hasValue(0);
        assertThat(stoppedWhilePaused).containsExactly(true);
        assertThat(unitsWhilePaused).hasSize(5).allMatch(n -> n == unitsAtPause[0]);
        assertThat(unitsAtPause[0]).isBetween(8, 39);
        assertThat(compiledUnits()).isEqualTo(40);
        assertThat(r.pauses()).isEqualTo(1);
        assertThat(r.highestMilliCelsius()).hasValue(85_000);
        assertThat(events).anyMatch(e -> e.contains("85.0 C is at or above the limit of 80.0 C"))
                .anyMatch(e -> e.contains("has cooled to 70.0 C or below: resuming"));

        assertThat(recorded("arg")).containsExactly("install", "zfs/2.4.0", "-k", "6.12.58-current-rockchip64", "-j", "1");
        assertThat(recorded("env")).contains("parallel_jobs=1", "ZFSGUARD_JOBS=1", "TEST_JOBS=1")
                .noneMatch(e -> e.startsWith("MAKEFLAGS="));
        assertThat(recorded("pgrp")).containsExactly(recorded("pid").get(0));
        assertThat(recorded("nice")).containsExactly("19");
        assertThat(recorded("ionice")).containsExactly("idle");
    }

    @Test
    void criticalTripStopsTheWholeProcessGroup() throws Exception {
        fakeEnv.put("FAKE_DKMS_MODE", "hang");
        boolean[] heated = {false};
        boolean[] sawHangingChild = {false};
        BuildResult r = run(s -> {
            // The fake hangs in "sleep 600" after half its units: heat up only once that
            // child exists, so that stopping just the leader would leave it alive.
            if (!heated[0] && s.units() >= 20) {
                try {
                    sawHangingChild[0] = awaitMember(pidOrZero(), "600");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                sysfs.setTemp(0, "96000");
                heated[0] = true;
            }
        });

        assertThat(problems).isEmpty();
        assertThat(sawHangingChild[0]).isTrue();
        assertThat(r.outcome()).isEqualTo(Outcome.ABORTED_HOT);
        assertThat(r.exitCode()).hasValue(128 + 15);
        assertThat(r.highestMilliCelsius()).hasValue(96_000);
        assertThat(r.message()).contains("critical trip point (95.0 C)");
        assertThat(r.makeLogTail()).last().asString().contains("CC [M]");
        long pid = Long.parseLong(recorded("pid").get(0));
        List<Long> left = liveMembers(pid);
        for (int i = 0; i < 500 && !left.isEmpty(); i++) {
            Thread.sleep(10);
            left = liveMembers(pid);
        }
        assertThat(left).as("processes of the build's group still alive (the hanging sleep)").isEmpty();
    }

    @Test
    void failedBuildReportsTheMakeLog() throws Exception {
        fakeEnv.put("FAKE_DKMS_MODE", "fail");
        BuildResult r = run(s -> { });

        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.exitCode()).hasValue(10);
        assertThat(r.makeLog()).isEqualTo("/var/lib/dkms/zfs/2.4.0/build/make.log");
        assertThat(r.makeLogTail()).last().asString().startsWith("make: *** [Makefile:1913:").endsWith("Error 2");
        assertThat(r.makeLogTail()).anyMatch(l -> l.contains("error: implicit declaration"));
        assertThat(r.outputTail()).anyMatch(l -> l.startsWith("Error! Bad return status for module build"));
        assertThat(r.message()).contains("exit status 10").contains("/var/lib/dkms/zfs/2.4.0/build/make.log");
    }

    @Test
    void successWithoutThermalZonesReportsEveryUnit() throws Exception {
        Files.walk(fakeRoot.resolve("sys")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        List<BuildStatus> statuses = new ArrayList<>();
        BuildResult r = run(statuses::add);

        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(events.get(0)).isEqualTo("no thermal zones: building without a temperature limit");
        assertThat(r.highestMilliCelsius()).isEmpty();
        assertThat(statuses).last().satisfies(s -> {
            assertThat(s.units()).isEqualTo(40);
            assertThat(s.percent()).isEqualTo(100);
            assertThat(s.phase()).isEqualTo(BuildPhase.INSTALL);
        });
    }
}
