package org.zfsguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.backup.Depmod;
import org.zfsguard.rebuild.BuildRunner;
import org.zfsguard.rebuild.BuildTools;
import org.zfsguard.rebuild.CommandRunner;
import org.zfsguard.rebuild.ProcessLauncher;
import org.zfsguard.rebuild.Sleeper;
import org.zfsguard.rebuild.SystemProcessLauncher;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.testing.FixtureSystem;
import org.zfsguard.testing.LockHolder;
import org.zfsguard.testing.ModuleFixtures.Compression;

/**
 * {@code zfsguard rebuild} end to end through {@link Main#run}: fixture systems, the
 * fake dkms script of zfsguard-core's tests run for real (setsid, process group, output),
 * modules that the fake "installs" as real ELF objects with chosen vermagic.
 */
class RebuildCommandTest {
    static final String K = "6.12.58-current-rockchip64";
    static final String OTHER = "6.6.60-current-rockchip64";
    static final String TOO_NEW = "6.16.1-edge-rockchip64";
    static final List<String> TWO = List.of("zfs", "spl");

    @TempDir
    Path root;
    @TempDir
    Path work;

    FixtureSystem fx;
    Path record;
    Path modules;
    final Map<String, String> fakeEnv = new HashMap<>();
    final List<String> depmodCalls = new ArrayList<>();
    /** update-initramfs as the tests script it; the real one unless a test says otherwise. */
    CommandRunner initramfsCommands = CommandRunner.processes();
    Effects effects;


    @BeforeEach
    void fakes() throws IOException {
        fx = new FixtureSystem(root);
        record = work.resolve("fake-dkms.record");
        modules = Files.createDirectories(work.resolve("built"));
        Path fake = work.resolve("fake-dkms");
        try (InputStream in = RebuildCommandTest.class.getResourceAsStream("/fake-dkms")) {
            Files.write(fake, in.readAllBytes());
        }
        fakeEnv.put("FAKE_DKMS_RECORD", record.toString());
        fakeEnv.put("FAKE_DKMS_ROOT", root.toString());
        fakeEnv.put("FAKE_DKMS_MODULES", modules.toString());
        fakeEnv.put("FAKE_DKMS_UNITS", "10");
        fakeEnv.put("FAKE_DKMS_DELAY", "0.01");
        ProcessLauncher real = new SystemProcessLauncher();
        ProcessLauncher launcher = (argv, set, unset) -> {
            Map<String, String> env = new HashMap<>(set);
            env.putAll(fakeEnv);
            return real.start(argv, env, unset);
        };
        effects = new Effects() {
            @Override
            public ProcessLauncher launcher() {
                return launcher;
            }

            @Override
            public BuildTools buildTools(SystemRoot r) {
                return new BuildTools("/usr/bin/nice", "/usr/bin/ionice", List.of("/bin/sh", fake.toString()));
            }

            @Override
            public BuildRunner.Settings runnerSettings() {
                return new BuildRunner.Settings(Duration.ofMillis(50), Duration.ofSeconds(5), 20, 40);
            }

            @Override
            public Sleeper sleeper() {
                return d -> Thread.sleep(50);
            }

            @Override
            public CommandRunner commands() {
                return initramfsCommands;
            }

            @Override
            public Depmod depmod() {
                return (r, k) -> depmodCalls.add(k);
            }

            @Override
            public Duration lockWait() {
                return Duration.ofMillis(200);
            }
        };
    }

    @AfterEach
    void reset() throws Exception {
        GlobalOptions.reset();
        // Never leave a hanging fake behind, whatever the test did.
        if (Files.exists(record)) {
            for (String l : Files.readAllLines(record)) {
                if (l.startsWith("pid: ")) {
                    new ProcessBuilder("/bin/kill", "-s", "KILL", "--", "-" + l.substring(5)).start().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    CliRun run(String... args) {
        return CliRun.in(root, effects, args);
    }

    /** An installed Armbian kernel with its headers, booted next. */
    void kernelWithHeaders(String k) {
        fx.kernel(k, "linux-image-current-rockchip64").mkdir("/usr/src/linux-headers-" + k + "/include")
                .symlink("/lib/modules/" + k + "/build", "/usr/src/linux-headers-" + k);
    }

    /** An Armbian board with kernel K and its headers, and OpenZFS 2.3.4-1 (Linux 4.18 to 6.15) installed. */
    FixtureSystem board() {
        kernelWithHeaders(K);
        return fx.armbianBootLinks(K).meta("2.3.4", "1", "4.18", "6.15");
    }

    /** What the fake dkms installs: zfs.ko and spl.ko of {@code version}, built for {@code builtFor}. */
    void fakeBuilds(String version, String builtFor) throws IOException {
        for (String m : TWO) {
            Files.write(modules.resolve(m + ".ko"), FixtureSystem.module(org.zfsguard.testing.ModuleFixtures.Arch.AARCH64, m, version, builtFor));
        }
    }

    String journal() throws IOException {
        return Files.readString(root.resolve("var/lib/zfsguard/events.jsonl"));
    }

    @Test
    void dryRunPrintsThePlanAndTheExactCommandsAndChangesNothing() {
        effects = Effects.SYSTEM; // the real command line: chroot into the root
        board();

        CliRun r = run("rebuild", "--dry-run", "--jobs", "2");

        assertThat(r.code()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains(K + ": build ZFS 2.3.4 (no ZFS module)")
                .contains("parallel_jobs=2 ZFSGUARD_JOBS=2 TEST_JOBS=2 /usr/bin/nice -n 19 /usr/bin/ionice -c 3 /usr/sbin/chroot "
                        + root + " /usr/sbin/dkms install zfs/2.3.4 -k " + K + " -j 2")
                .contains("nothing was changed (--dry-run); next: sudo zfsguard --root " + root + " rebuild --jobs 2");
        assertThat(root.resolve("var/lib/zfsguard")).doesNotExist();
        assertThat(record).doesNotExist();
    }

    @Test
    void refusesKernelsWithoutHeadersOrOutsideTheSupportedRangeAndSaysWhatFixesIt() {
        fx.kernel(K, "linux-image-current-rockchip64").armbianBootLinks(K);
        kernelWithHeaders(TOO_NEW);
        fx.meta("2.3.4", "1", "4.18", "6.15");

        CliRun r = run("rebuild", "--dry-run");

        assertThat(r.code()).isEqualTo(ExitCodes.NOT_SAFE);
        assertThat(r.out()).contains(K + ": refused: the headers of " + K + " are missing")
                .contains("next: sudo apt install linux-headers-current-rockchip64")
                .contains(TOO_NEW + ": refused:").contains("6.15");
        assertThat(r.out().indexOf(K + ":")).isLessThan(r.out().indexOf(TOO_NEW + ":"));
    }

    @Test
    void withoutATerminalAndWithoutYesItRefusesAndNamesTheCommand() {
        board();

        CliRun r = run("rebuild");

        assertThat(r.code()).isEqualTo(ExitCodes.NOT_SAFE);
        assertThat(r.err()).contains("standard input is not a terminal").contains("rebuild --yes");
        assertThat(record).doesNotExist();
    }

    @Test
    void buildsTheMissingModuleVerifiesItAndSaysSafeToReboot() throws IOException {
        board();
        fakeBuilds("2.3.4-1", K);

        CliRun r = run("rebuild", "--yes");

        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains(K + ": ZFS 2.3.4 built and verified").contains("\nSAFE TO REBOOT: next boot kernel ");
        assertThat(Files.readAllLines(record)).contains("arg: install", "arg: zfs/2.3.4", "arg: " + K, "arg: -j", "arg: 1",
                "env: ZFSGUARD_JOBS=1", "env: TEST_JOBS=1");
        assertThat(journal()).contains("\"event\":\"rebuild-started\"").contains("\"event\":\"rebuild-finished\"")
                .contains("\"kernel\":\"" + K + "\"").contains("\"jobs\":1").contains("\"duration_s\"");
    }

    @Test
    void aModuleThatDoesNotVerifyIsReplacedByTheBackedUpOneAndTheRunFailsLoudly() throws IOException {
        board()
                .zfsModules(K, "updates/dkms", "2.3.1-1", K, Compression.NONE, TWO);
        byte[] old = Files.readAllBytes(root.resolve("lib/modules/" + K + "/updates/dkms/zfs.ko"));
        fakeBuilds("2.3.4-1", OTHER); // wrong vermagic

        CliRun r = run("rebuild", "--yes");

        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.out()).contains("backed up the boot set").contains("NOT SAFE TO REBOOT");
        assertThat(r.err()).contains("ZFS would not load on it").contains("restored from backup");
        assertThat(Files.readAllLines(record)).contains("arg: --force");
        assertThat(Files.readAllBytes(root.resolve("lib/modules/" + K + "/updates/dkms/zfs.ko"))).isEqualTo(old);
        assertThat(depmodCalls).containsExactly(K);
        assertThat(journal()).contains("\"event\":\"rebuild-aborted\"").contains("\"outcome\":\"FAILED\"");
    }

    @Test
    void aCriticalTemperatureStopsTheBuildAndNothingElseIsBuilt() throws IOException {
        kernelWithHeaders(K);
        kernelWithHeaders(OTHER);
        fx.armbianBootLinks(K).meta("2.3.4", "1", "4.18", "6.15");
        Path zone = Files.createDirectories(root.resolve("sys/class/thermal/thermal_zone0"));
        Files.writeString(zone.resolve("type"), "soc-thermal\n");
        Files.writeString(zone.resolve("temp"), "99000\n");
        Files.writeString(zone.resolve("trip_point_0_type"), "critical\n");
        Files.writeString(zone.resolve("trip_point_0_temp"), "95000\n");
        fakeEnv.put("FAKE_DKMS_MODE", "hang");

        CliRun r = run("rebuild", "--yes");

        assertThat(r.code()).isEqualTo(ExitCodes.NOT_SAFE);
        assertThat(r.err()).contains("stopped").contains("remaining kernels were not built");
        assertThat(r.out()).contains("NOT SAFE TO REBOOT");
        assertThat(journal()).contains("\"event\":\"rebuild-aborted\"").contains("\"outcome\":\"ABORTED_HOT\"")
                .contains("\"highest_temperature_c\":99.0").doesNotContain("\"kernel\":\"" + OTHER + "\"");
    }

    @Test
    void whenZfsIsInTheInitramfsItIsRefreshedThroughChrootAndCheckedAgain() throws IOException {
        board().packageInstalled("zfs-initramfs");
        writeInitrds(null);
        fakeBuilds("2.3.4-1", K);
        List<List<String>> ran = new ArrayList<>();
        initramfsCommands = (argv, out) -> {
            ran.add(argv);
            writeInitrds("2.3.4-1");
            return 0;
        };

        CliRun r = run("rebuild", "--yes");

        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
        assertThat(ran).containsExactly(List.of("/usr/sbin/chroot", root.toString(), "update-initramfs", "-u", "-k", K));
        assertThat(r.out()).contains("built and verified").contains("\nSAFE TO REBOOT: next boot kernel ");
    }

    @Test
    void anInitramfsThatStillLacksZfsFailsTheRun() throws IOException {
        board().packageInstalled("zfs-initramfs");
        writeInitrds(null);
        fakeBuilds("2.3.4-1", K);
        initramfsCommands = (argv, out) -> 0;

        CliRun r = run("rebuild", "--yes");

        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).contains("after update-initramfs, " + K + " is still");
        assertThat(r.out()).contains("NOT SAFE TO REBOOT");
    }

    void writeInitrds(String zfsVersion) {
        byte[] initrd = FixtureSystem.initrdBytes(org.zfsguard.testing.ModuleFixtures.Arch.AARCH64, K,
                FixtureSystem.InitrdCompression.GZIP, false, zfsVersion, K);
        fx.write("/boot/initrd.img-" + K, initrd).uInitrd("/boot/uInitrd-" + K, initrd);
    }

    @Test
    void allAndKernelExcludeEachOther() {
        CliRun r = run("rebuild", "--all", "--kernel", K);
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("exclude each other");
    }

    /** The dpkg lock of the fixture root, held by another process as apt or dpkg would hold it. */
    LockHolder dpkgRunning(String lock) throws IOException {
        Path file = root.resolve("var/lib/dpkg/" + lock);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "");
        return LockHolder.hold(file, false);
    }

    @Test
    void whileDpkgRunsItWaitsThenRefusesNamingTheCommandAndChangesNothing() throws IOException {
        board();
        fakeBuilds("2.3.4-1", K);

        CliRun r;
        try (LockHolder apt = dpkgRunning("lock-frontend")) {
            r = run("rebuild", "--yes", "--wait-for-dpkg", "1");
        }

        assertThat(r.code()).isEqualTo(ExitCodes.NOT_SAFE);
        assertThat(r.out()).contains("apt or dpkg is running (/var/lib/dpkg/lock-frontend is locked); waiting up to 1 s");
        assertThat(r.err()).contains("zfsguard: not started: apt or dpkg is running (/var/lib/dpkg/lock-frontend is held by another process")
                .contains("zfsguard:   next: wait for apt or dpkg to finish, then: sudo zfsguard --root " + root + " rebuild\n");
        assertThat(record).doesNotExist();
        assertThat(root.resolve("var/lib/zfsguard")).doesNotExist();
    }

    @Test
    void withoutWaitingTheInnerDpkgLockRefusesAtOnce() throws IOException {
        board();

        CliRun r;
        try (LockHolder dpkg = dpkgRunning("lock")) {
            r = run("rebuild", "--yes", "--wait-for-dpkg", "0");
        }

        assertThat(r.code()).isEqualTo(ExitCodes.NOT_SAFE);
        assertThat(r.out()).doesNotContain("waiting");
        assertThat(r.err()).contains("/var/lib/dpkg/lock is held by another process); nothing was changed");
        assertThat(record).doesNotExist();
    }

    @Test
    void dryRunDoesNotLookAtDpkgAndIdleLockFilesDoNotStopABuild() throws IOException {
        board();
        fakeBuilds("2.3.4-1", K);

        CliRun dry;
        try (LockHolder apt = dpkgRunning("lock-frontend")) {
            dry = run("rebuild", "--dry-run");
        }
        CliRun real = run("rebuild", "--yes");

        assertThat(dry.code()).isEqualTo(ExitCodes.OK);
        assertThat(dry.out()).contains("nothing was changed (--dry-run)").doesNotContain("dpkg");
        assertThat(real.code()).as(real.out() + real.err()).isEqualTo(ExitCodes.OK);
        assertThat(real.out()).contains("built and verified");
    }

    @Test
    void aWaitOutOfRangeIsAUsageError() {
        CliRun r = run("rebuild", "--wait-for-dpkg", "-1");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--wait-for-dpkg must be 0..86400 seconds");
    }
}
