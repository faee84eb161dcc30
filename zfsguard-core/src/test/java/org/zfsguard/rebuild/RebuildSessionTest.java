package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.backup.BackupStore;
import org.zfsguard.config.Config;
import org.zfsguard.state.EventJournal;
import org.zfsguard.state.StateDir;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.testing.FixtureSystem;
import org.zfsguard.testing.ModuleFixtures.Arch;
import org.zfsguard.testing.ModuleFixtures.Compression;
import org.zfsguard.thermal.ThermalGuard;
import org.zfsguard.thermal.ThermalZones;

/**
 * The session with a scripted DKMS ({@link FakeLauncher}): the modules on the fixture
 * disk decide what verification finds, so each test sets up the disk a build would leave.
 */
class RebuildSessionTest {
    static final KernelRelease K = KernelRelease.parse("6.12.58-current-rockchip64");
    static final KernelRelease OTHER = KernelRelease.parse("6.6.60-current-rockchip64");
    static final List<String> TWO = List.of("zfs", "spl");
    static final ThermalGuard.Limits LIMITS = ThermalGuard.Limits.celsius(80, 70, Duration.ofMinutes(30));
    static final BuildTools TOOLS = new BuildTools("/usr/bin/nice", "/usr/bin/ionice", List.of("/usr/sbin/dkms"));

    @TempDir
    Path dir;

    FixtureSystem fx;
    SystemRoot root;
    final FakeLauncher dkms = new FakeLauncher();
    final List<String> said = new ArrayList<>();
    final List<String> warned = new ArrayList<>();
    final List<List<String>> ran = new ArrayList<>();
    final List<String> depmod = new ArrayList<>();
    CommandRunner commands = (argv, lines) -> {
        ran.add(argv);
        return 0;
    };
    Config config = Config.defaults();
    /** What the "build" does to the disk when dkms starts. */
    Runnable onStart = () -> { };

    @BeforeEach
    void system() {
        fx = new FixtureSystem(dir).kernel(K.text(), "linux-image-current-rockchip64").armbianBootLinks(K.text())
                .kernel(OTHER.text(), "linux-image-current-rockchip64").meta("2.3.4", "1", "4.18", "6.15");
        root = SystemRoot.at(dir);
    }

    RebuildOutcome run(PlannedRebuild planned) throws Exception {
        StateDir state = StateDir.of(root);
        RebuildOutput output = new RebuildOutput() {
            @Override
            public void say(String line) {
                said.add(line);
            }

            @Override
            public void warn(String line) {
                warned.add(line);
            }

            @Override
            public ProgressListener progress() {
                return ProgressListener.NONE;
            }
        };
        BuildRunner runner = new BuildRunner(root, (argv, set, unset) -> {
            onStart.run();
            return dkms.start(argv, set, unset);
        }, new ThermalZones(root), MonotonicClock.system(), d -> { },
                new BuildRunner.Settings(Duration.ofMillis(1), Duration.ofMillis(10), 20, 40));
        return new RebuildSession(root, config, BackupStore.open(root, state), EventJournal.of(state), runner, commands,
                (r, k) -> depmod.add(k), output).run(planned, LIMITS);
    }

    static RebuildPlan.Build build(KernelRelease k, boolean replaces) {
        return new RebuildPlan.Build(k, new DkmsInvocation("2.3.4", k, 1, replaces, TOOLS), replaces, "test");
    }

    PlannedRebuild planned(List<RebuildPlan.Step> steps, List<KernelRelease> initramfsOnly, boolean initramfs) {
        return new PlannedRebuild(root, new RebuildPlan(steps), initramfsOnly, initramfs, new HostResources(100_000, 100_000));
    }

    /** What a good build leaves: zfs.ko and spl.ko of the META version, built for {@code k}. */
    void goodModules(KernelRelease k) {
        fx.zfsModules(k.text(), "updates/dkms", "2.3.4-1", k.text(), Compression.NONE, TWO);
    }

    String journal() throws IOException {
        return Files.readString(dir.resolve("var/lib/zfsguard/events.jsonl"));
    }

    @Test
    void aBuildThatVerifiesIsDoneReportedAndJournaled() throws Exception {
        goodModules(K);

        RebuildOutcome o = run(planned(List.of(build(K, false)), List.of(), false));

        assertThat(o.status()).isEqualTo(RebuildOutcome.Status.DONE);
        assertThat(o.stoppedEarly()).isFalse();
        assertThat(o.results()).singleElement().satisfies(r -> assertThat(r.succeeded()).isTrue());
        assertThat(said).containsExactly(K + ": ZFS 2.3.4 built and verified (no temperature reading)");
        assertThat(warned).isEmpty();
        assertThat(dkms.argv).contains("install", "zfs/2.3.4", K.text());
        assertThat(journal()).contains("\"event\":\"rebuild-started\"").contains("\"event\":\"rebuild-finished\"")
                .contains("\"outcome\":\"SUCCESS\"").contains("\"restored\":null");
    }

    @Test
    void theFirstBuildThatFailsStopsTheRunBeforeTheNextKernel() throws Exception {
        dkms.output("Error! Bad return status for module build on kernel: " + K);
        dkms.exitStatus = 10;

        RebuildOutcome o = run(planned(List.of(build(K, false), build(OTHER, false)), List.of(OTHER), false));

        assertThat(o.status()).isEqualTo(RebuildOutcome.Status.FAILED);
        assertThat(o.stoppedEarly()).isTrue();
        assertThat(o.results()).hasSize(1);
        assertThat(dkms.argv).contains(K.text()).doesNotContain(OTHER.text());
        assertThat(ran).as("the initramfs-only kernels wait too").isEmpty();
        assertThat(warned).anyMatch(l -> l.startsWith("  dkms: Error! Bad return status"));
        assertThat(journal()).contains("\"event\":\"rebuild-aborted\"").contains("\"outcome\":\"FAILED\"")
                .doesNotContain(OTHER.text());
    }

    @Test
    void aModuleThatCannotBeBackedUpIsNotReplacedAndTheRunStopsWithoutFailing() throws Exception {
        fx.zfsModules(K.text(), "updates/dkms", "2.3.1-1", OTHER.text(), Compression.NONE, TWO);
        config = new Config(80, 70, 1, Config.BuildPolicy.MANUAL, Config.PreflightMode.BLOCK, 2, 1L << 40);

        RebuildOutcome o = run(planned(List.of(build(K, true)), List.of(), false));

        assertThat(o.status()).isEqualTo(RebuildOutcome.Status.STOPPED);
        assertThat(o.results()).singleElement()
                .satisfies(r -> assertThat(r.outcome()).isEqualTo(BuildResult.Outcome.NOT_STARTED));
        assertThat(dkms.argv).as("dkms never started").isNull();
        assertThat(warned).anyMatch(l -> l.contains("could not be backed up"));
    }

    @Test
    void aReplacedModuleThatDoesNotVerifyIsRestoredFromItsBackup() throws Exception {
        fx.zfsModules(K.text(), "updates/dkms", "2.3.1-1", K.text(), Compression.NONE, TWO);
        Path zfsKo = dir.resolve("lib/modules/" + K + "/updates/dkms/zfs.ko");
        byte[] old = Files.readAllBytes(zfsKo);
        dkms.exitStatus = 0;
        // the "build" leaves a module for the wrong kernel
        dkms.output("installing");
        onStart = () -> fx.zfsModules(K.text(), "updates/dkms", "2.3.4-1", OTHER.text(), Compression.NONE, TWO);

        RebuildOutcome o = run(planned(List.of(build(K, true)), List.of(), false));

        assertThat(o.status()).isEqualTo(RebuildOutcome.Status.FAILED);
        assertThat(said).anyMatch(l -> l.startsWith(K + ": backed up the boot set as "));
        assertThat(warned).anyMatch(l -> l.contains("ZFS would not load on it"))
                .anyMatch(l -> l.startsWith("the previous ZFS module of " + K + " was restored from backup "));
        assertThat(Files.readAllBytes(zfsKo)).isEqualTo(old);
        assertThat(depmod).containsExactly(K.text());
    }

    @Test
    void kernelsThatOnlyLackZfsInTheInitramfsGetAFreshOneAndAreCheckedAgain() throws Exception {
        goodModules(K);
        fx.packageInstalled("zfs-initramfs");
        writeInitrds(null);
        commands = (argv, lines) -> {
            ran.add(argv);
            lines.accept("update-initramfs: Generating /boot/initrd.img-" + K);
            writeInitrds("2.3.4-1");
            return 0;
        };

        RebuildOutcome o = run(planned(List.of(), List.of(K), true));

        assertThat(o.status()).isEqualTo(RebuildOutcome.Status.DONE);
        assertThat(ran).containsExactly(List.of("/usr/sbin/chroot", dir.toString(), "update-initramfs", "-u", "-k", K.text()));
        assertThat(said).containsExactly(K + ": /usr/sbin/chroot " + dir + " update-initramfs -u -k " + K,
                "    update-initramfs: Generating /boot/initrd.img-" + K);
    }

    CommandRunner refreshingInitrds() {
        return (argv, lines) -> {
            ran.add(argv);
            writeInitrds("2.3.4-1");
            return 0;
        };
    }

    @Test
    void aRebuiltModuleTheInitramfsAlreadyHoldsByteForByteIsNotPackedAgainAndTheRunSaysWhy() throws Exception {
        goodModules(K);
        fx.packageInstalled("zfs-initramfs");
        writeInitrds("2.3.4-1");
        commands = refreshingInitrds();

        RebuildOutcome o = run(planned(List.of(build(K, false)), List.of(), true));

        assertThat(o.status()).isEqualTo(RebuildOutcome.Status.DONE);
        assertThat(ran).isEmpty();
        assertThat(said).anyMatch(l -> l.startsWith(K + ": /boot/uInitrd-" + K + " already holds this /lib/modules/" + K
                + "/updates/dkms/zfs.ko (same content, sha256 ") && l.endsWith("update-initramfs is not needed"));
    }

    @Test
    void aRebuildOfTheSameVersionAndSrcversionWithOtherBytesIsPackedIntoTheInitramfs() throws Exception {
        goodModules(K);
        Path zfsKo = dir.resolve("lib/modules/" + K + "/updates/dkms/zfs.ko");
        // the same .modinfo (version, srcversion, vermagic), other code: another build of one source
        Files.write(zfsKo, "other build".getBytes(java.nio.charset.StandardCharsets.US_ASCII), java.nio.file.StandardOpenOption.APPEND);
        fx.packageInstalled("zfs-initramfs");
        writeInitrds("2.3.4-1");
        commands = refreshingInitrds();

        RebuildOutcome o = run(planned(List.of(build(K, false)), List.of(), true));

        assertThat(o.status()).isEqualTo(RebuildOutcome.Status.DONE);
        assertThat(ran).containsExactly(List.of("/usr/sbin/chroot", dir.toString(), "update-initramfs", "-u", "-k", K.text()));
        assertThat(said).anyMatch(l -> l.startsWith(K + ": the zfs.ko in /boot/uInitrd-" + K + " differs from the one just built ("));
    }

    @Test
    void aCompressedModuleOnDiskEqualsTheSameModulePackedUncompressed() throws Exception {
        fx.zfsModules(K.text(), "updates/dkms", "2.3.4-1", K.text(), Compression.ZSTD, TWO);
        fx.packageInstalled("zfs-initramfs");
        writeInitrds("2.3.4-1");
        commands = refreshingInitrds();

        RebuildOutcome o = run(planned(List.of(build(K, false)), List.of(), true));

        assertThat(o.status()).isEqualTo(RebuildOutcome.Status.DONE);
        assertThat(ran).isEmpty();
        assertThat(said).anyMatch(l -> l.contains("zfs.ko.zst (same content, sha256 "));
    }

    @Test
    void anInitramfsRefreshThatFailsFailsTheRun() throws Exception {
        goodModules(K);
        fx.packageInstalled("zfs-initramfs");
        writeInitrds(null);
        commands = (argv, lines) -> 1;

        RebuildOutcome o = run(planned(List.of(), List.of(K), true));

        assertThat(o.status()).isEqualTo(RebuildOutcome.Status.FAILED);
        assertThat(warned).containsExactly("update-initramfs for " + K + " failed with exit status 1");
    }

    @Test
    void aJournalThatCannotBeWrittenIsAWarningNotAFailure() throws Exception {
        goodModules(K);
        Files.createDirectories(dir.resolve("var/lib/zfsguard/events.jsonl"));

        RebuildOutcome o = run(planned(List.of(build(K, false)), List.of(), false));

        assertThat(o.status()).isEqualTo(RebuildOutcome.Status.DONE);
        assertThat(warned).hasSize(2).allMatch(l -> l.startsWith("WARNING: could not write the event journal"));
    }

    void writeInitrds(String zfsVersion) {
        byte[] initrd = FixtureSystem.initrdBytes(Arch.AARCH64, K.text(), FixtureSystem.InitrdCompression.GZIP, false,
                zfsVersion, K.text());
        fx.write("/boot/initrd.img-" + K, initrd).uInitrd("/boot/uInitrd-" + K, initrd);
    }
}
