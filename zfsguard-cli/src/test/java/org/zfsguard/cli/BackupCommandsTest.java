package org.zfsguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.backup.Depmod;
import org.zfsguard.state.StateDir;
import org.zfsguard.state.ZfsguardLock;
import org.zfsguard.system.SystemRoot;

class BackupCommandsTest {
    static final String K = "6.12.57-current-rockchip64";
    static final String K2 = "6.12.58-current-rockchip64";

    @TempDir
    Path root;

    final List<String> depmodCalls = new ArrayList<>();


    /** A fake depmod that records its kernels, and a short wait for the lock. */
    final Effects effects = new Effects() {
        @Override
        public Depmod depmod() {
            return (r, k) -> depmodCalls.add(k);
        }

        @Override
        public Duration lockWait() {
            return Duration.ofMillis(200);
        }
    };

    CliRun run(String... args) {
        return CliRun.in(root, effects, args);
    }

    @AfterEach
    void reset() {
        GlobalOptions.reset();
    }

    void kernel(String k, long seed) throws IOException {
        Random r = new Random(seed);
        write("lib/modules/" + k + "/kernel/fs/ext4/ext4.ko", r, 50_000);
        write("lib/modules/" + k + "/updates/dkms/zfs.ko", r, 200_000);
        write("lib/modules/" + k + "/modules.dep", r, 100);
        Files.createSymbolicLink(root.resolve("lib/modules/" + k + "/build"), Path.of("/usr/src/linux-headers-" + k));
        write("boot/vmlinuz-" + k, r, 400_000);
        write("boot/uInitrd-" + k, r, 100_000);
        write("boot/dtb-" + k + "/rockchip/rk3399-rockpro64.dtb", r, 30_000);
    }

    void write(String rel, Random r, int size) throws IOException {
        byte[] b = new byte[size];
        r.nextBytes(b);
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.write(p, b);
    }

    @Test
    void aReadOnlyFileSystemIsNamedWithTheRemountCommand() {
        UserError e = BackupCommand.ioFailure(
                new java.nio.file.FileSystemException("/var/lib/zfsguard/lock", null, "Read-only file system"), "zfsguard backup");
        assertThat(e.getMessage()).isEqualTo("/var/lib/zfsguard/lock is on a read-only file system");
        assertThat(e.next()).startsWith("sudo mount -o remount,rw /").endsWith(", then: zfsguard backup");
        assertThat(e.exitCode()).isEqualTo(ExitCodes.ERROR);
    }

    @Test
    void whatCannotBeBackedUpIsNamed() throws Exception {
        kernel(K, 3);
        Path fifo = root.resolve("lib/modules/" + K + "/kernel/odd-fifo");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(p.waitFor()).isZero();

        CliRun b = run("backup", "--kernel", K);

        assertThat(b.code()).as(b.err()).isZero();
        assertThat(b.out()).contains("(6 files, ");
        assertThat(b.err()).contains("left out of the backup").contains("/lib/modules/" + K + "/kernel/odd-fifo");
    }

    @Test
    void backupListVerifyRestoreRoundTrip() throws IOException {
        kernel(K, 1);
        byte[] zfs = Files.readAllBytes(root.resolve("lib/modules/" + K + "/updates/dkms/zfs.ko"));

        CliRun b = run("backup", "--kernel", K);
        assertThat(b.code()).as(b.err()).isZero();
        assertThat(b.out()).containsPattern("backed up boot set of " + K + " \\(6 files, 0\\.7 MiB, sha256 recorded; 0\\.7 MiB written\\) as "
                + java.util.regex.Pattern.quote(K) + "@\\d{8}T\\d{6}Z-[0-9a-f]{6}");
        assertThat(b.out()).contains("next: sudo zfsguard --root " + root + " backups");

        CliRun l = run("backups");
        assertThat(l.code()).isZero();
        assertThat(l.out()).containsPattern("ID +KERNEL +TIME +SIZE +FILES +STATE");
        assertThat(l.out()).containsPattern(java.util.regex.Pattern.quote(K) + "@\\S+ +" + java.util.regex.Pattern.quote(K) + " +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ +0\\.7 MiB +6 +complete");

        CliRun v = run("verify");
        assertThat(v.code()).isZero();
        assertThat(v.out()).startsWith("ok       " + K + "@");

        deleteTree(root.resolve("lib/modules/" + K));
        Files.delete(root.resolve("boot/vmlinuz-" + K));
        CliRun r = run("restore", K);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("restored boot set of " + K).contains("depmod " + K + ": module index rebuilt")
                .contains("to boot it next: sudo zfsguard --root " + root + " restore " + K + " --activate");
        assertThat(Files.readAllBytes(root.resolve("lib/modules/" + K + "/updates/dkms/zfs.ko"))).isEqualTo(zfs);
        assertThat(Files.readSymbolicLink(root.resolve("lib/modules/" + K + "/build"))).isEqualTo(Path.of("/usr/src/linux-headers-" + K));
        assertThat(depmodCalls).containsExactly(K);
        assertThat(Files.readString(root.resolve("var/lib/zfsguard/events.jsonl")))
                .contains("\"event\":\"backup\"").contains("\"event\":\"restore\"");
    }

    @Test
    void backupWithoutKernelTakesEveryKernelDirectoryAndKeepsTheConfiguredNumber() throws IOException {
        kernel(K, 2);
        kernel(K2, 3);
        Files.createDirectories(root.resolve("lib/modules/not..a-kernel"));
        CliRun b = run("backup");
        assertThat(b.code()).as(b.err()).isZero();
        assertThat(b.out()).contains("backed up boot set of " + K + " ").contains("backed up boot set of " + K2 + " ")
                .doesNotContain("not..a-kernel");

        Files.createDirectories(root.resolve("etc/zfsguard"));
        Files.writeString(root.resolve("etc/zfsguard/zfsguard.conf"), "keep_kernels = 1\n");
        Files.createSymbolicLink(root.resolve("boot/Image"), Path.of("vmlinuz-" + K));
        CliRun again = run("backup", "--kernel", K2);
        assertThat(again.code()).isZero();
        // K2 is the newest, K boots next: both stay; the older backup of K2 goes
        assertThat(again.out()).containsPattern("removed old backup " + java.util.regex.Pattern.quote(K2) + "@\\S+ \\(keep_kernels = 1\\)");
        CliRun l = run("backups");
        assertThat(l.out().lines().filter(x -> x.contains("complete"))).hasSize(2);
    }

    @Test
    void verifyReportsDamageWithExitCodeOneAndRestoreRefuses() throws IOException {
        kernel(K, 4);
        assertThat(run("backup", "--kernel", K).code()).isZero();
        try (var s = Files.walk(root.resolve("var/lib/zfsguard/backups/objects"))) {
            Path blob = s.filter(Files::isRegularFile).filter(p -> {
                try {
                    return Files.size(p) == 200_000;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).findFirst().orElseThrow();
            byte[] b = Files.readAllBytes(blob);
            b[7] ^= 0x40;
            Files.write(blob, b);
        }
        CliRun v = run("verify");
        assertThat(v.code()).isEqualTo(ExitCodes.NOT_SAFE);
        assertThat(v.out()).contains("DAMAGED  " + K + "@");
        assertThat(v.err()).contains("updates/dkms/zfs.ko").contains("damaged").contains("next:");

        CliRun r = run("restore", K, "--force");
        assertThat(r.code()).isEqualTo(ExitCodes.NOT_SAFE);
        assertThat(r.err()).contains("failed verification").contains("next: sudo zfsguard --root " + root + " backups");
        assertThat(depmodCalls).isEmpty();
    }

    @Test
    void restoreRefusesPackageOwnedFilesUnlessForcedAndDryRunChangesNothing() throws IOException {
        kernel(K, 5);
        assertThat(run("backup", "--kernel", K).code()).isZero();
        Files.writeString(root.resolve("boot/vmlinuz-" + K), "rebuilt by the package");
        Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.writeString(root.resolve("var/lib/dpkg/info/linux-image-current-rockchip64.list"), "/boot/vmlinuz-" + K + "\n");

        CliRun dry = run("restore", K, "--dry-run", "--force");
        assertThat(dry.code()).isZero();
        assertThat(dry.out()).contains("replace file /boot/vmlinuz-" + K).contains("nothing was changed (--dry-run)");
        assertThat(Files.readString(root.resolve("boot/vmlinuz-" + K))).isEqualTo("rebuilt by the package");

        CliRun refused = run("restore", K);
        assertThat(refused.code()).isEqualTo(ExitCodes.NOT_SAFE);
        assertThat(refused.err()).contains("/boot/vmlinuz-" + K + " (package linux-image-current-rockchip64)")
                .contains("next: to overwrite them anyway: sudo zfsguard --root " + root + " restore " + K + " --force");

        CliRun forced = run("restore", K, "--force");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(Files.size(root.resolve("boot/vmlinuz-" + K))).isEqualTo(400_000);
    }

    @Test
    void restoreActivateOnArmbianRepointsTheBootLinks() throws IOException {
        kernel(K, 6);
        assertThat(run("backup", "--kernel", K).code()).isZero();
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/armbian-release"), "BOARD=rockpro64\n");
        Files.createSymbolicLink(root.resolve("boot/Image"), Path.of("vmlinuz-" + K2));
        CliRun r = run("restore", K, "--activate");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("pointed /boot/Image -> vmlinuz-" + K).contains("next: zfsguard --root " + root + " status");
        assertThat(Files.readSymbolicLink(root.resolve("boot/Image"))).isEqualTo(Path.of("vmlinuz-" + K));
        assertThat(Files.readSymbolicLink(root.resolve("boot/dtb"))).isEqualTo(Path.of("dtb-" + K));
    }

    @Test
    void badArgumentsAndMissingBackupsAreClearErrors() throws IOException {
        CliRun bad = run("restore", "../../etc");
        assertThat(bad.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.err()).contains("not a kernel release").doesNotContain("Exception");

        CliRun none = run("backups");
        assertThat(none.code()).isZero();
        assertThat(none.out()).contains("no boot-set backups").contains("next: sudo zfsguard --root " + root + " backup\n");
        assertThat(root.resolve("var/lib/zfsguard")).doesNotExist();

        CliRun noBackup = run("restore", K);
        assertThat(noBackup.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(noBackup.err()).contains("no boot-set backups").contains("next: sudo zfsguard --root " + root + " backups");

        kernel(K, 7);
        assertThat(run("backup", "--kernel", K).code()).isZero();
        CliRun other = run("restore", K2);
        assertThat(other.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(other.err()).contains("no backup of kernel " + K2);
        CliRun unknown = run("verify", K + "@20200101T000000Z-000000");
        assertThat(unknown.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(unknown.err()).contains("no valid backup named");

        CliRun nothing = run("backup", "--kernel", K2);
        assertThat(nothing.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(nothing.out()).contains("no files of " + K2);
    }

    @Test
    void aBackupThatDoesNotFitIsRefusedLoudlyWithExitOne() throws IOException {
        kernel(K, 8);
        Files.createDirectories(root.resolve("etc/zfsguard"));
        Files.writeString(root.resolve("etc/zfsguard/zfsguard.conf"), "reserve_mib = 1048576\n");
        CliRun r = run("backup", "--kernel", K);
        assertThat(r.code()).isEqualTo(ExitCodes.NOT_SAFE);
        assertThat(r.err()).contains("NOT BACKED UP: " + K + ": not enough space").contains("reserve_mib");
        assertThat(run("backups").out()).contains("no boot-set backups");
    }

    @Test
    void aHeldLockIsReportedWithTheHolderAndTheCommandToRetry() throws IOException {
        kernel(K, 9);
        StateDir state = StateDir.of(SystemRoot.at(root));
        try (ZfsguardLock held = ZfsguardLock.acquireStore(state, Duration.ZERO)) {
            assertThat(held).isNotNull();
            CliRun r = run("backup", "--kernel", K);
            assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
            assertThat(r.err()).contains("zfsguard process " + ProcessHandle.current().pid() + " holds")
                    .contains("next: sudo zfsguard --root " + root + " backup --kernel " + K + "   (once it has finished)");
        }
    }

    @Test
    void aBackupDoesNotWaitForARebuildHoldingTheMainLock() throws IOException {
        kernel(K, 10);
        StateDir state = StateDir.of(SystemRoot.at(root));
        try (ZfsguardLock rebuild = ZfsguardLock.acquire(state, Duration.ZERO)) {
            assertThat(rebuild).isNotNull();
            CliRun r = run("backup", "--kernel", K);
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("backed up boot set of " + K);
        }
    }

    @Test
    void aSetWithAFlippedBitInItsManifestIsListedDamagedFailsVerifyAndStaysUntilRemoved() throws IOException {
        kernel(K, 11);
        assertThat(run("backup", "--kernel", K).code()).isZero();
        Path sets = root.resolve("var/lib/zfsguard/backups/sets");
        String id;
        try (var s = Files.list(sets)) {
            id = s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).findFirst().orElseThrow();
        }
        Path manifest = sets.resolve(id).resolve("manifest");
        byte[] b = Files.readAllBytes(manifest);
        b[b.length / 2] ^= 0x01;
        Files.write(manifest, b);

        CliRun list = run("backups");
        assertThat(list.code()).isZero();
        assertThat(list.out()).contains(id).contains("DAMAGED").contains("sudo zfsguard --root " + root + " backups --remove ID");

        CliRun verify = run("verify");
        assertThat(verify.code()).isEqualTo(ExitCodes.NOT_SAFE);
        assertThat(verify.out()).contains("DAMAGED  " + id);
        assertThat(verify.err()).contains("next: sudo zfsguard --root " + root + " backups --remove " + id);
        assertThat(run("verify", id).code()).isEqualTo(ExitCodes.NOT_SAFE);

        // another backup keeps it
        assertThat(run("backup", "--kernel", K).code()).isZero();
        assertThat(sets.resolve(id)).exists();

        CliRun removed = run("backups", "--remove", id);
        assertThat(removed.code()).as(removed.err()).isZero();
        assertThat(removed.out()).contains("removed backup " + id);
        assertThat(sets.resolve(id)).doesNotExist();
        assertThat(run("verify").code()).isZero();
        assertThat(run("backups", "--remove", id).code()).isEqualTo(ExitCodes.ERROR);
    }

    static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
