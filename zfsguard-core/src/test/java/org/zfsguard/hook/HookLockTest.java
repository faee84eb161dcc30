package org.zfsguard.hook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.backup.BackupStore;
import org.zfsguard.state.AtomicFiles;
import org.zfsguard.state.StateDir;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.testing.FixtureSystem;
import org.zfsguard.testing.LockHolder;
import org.zfsguard.testing.ModuleFixtures.Arch;

/**
 * Class 2 of the hostile cases: no destructive step without the lock, and a
 * long rebuild does not cost a kernel upgrade its backup. The locks are held
 * by another JVM (a lock this JVM holds would look free to its own probe).
 */
class HookLockTest {
    static final String PKG = "linux-image-current-rockchip64";
    static final String OLD = "6.12.57-current-rockchip64";

    @TempDir
    Path dir;
    StringWriter out;
    StateDir state;
    SystemRoot root;

    @BeforeEach
    void board() throws IOException {
        new FixtureSystem(dir).arch(Arch.AARCH64).kernel(OLD, PKG).armbianBootLinks(OLD)
                .meta("2.4.0", "1", "4.18", "6.18").dkmsZfs(OLD, "2.4.0-1");
        root = SystemRoot.at(dir);
        state = StateDir.of(root);
        state.ensure();
    }

    HookContext ctx() {
        out = new StringWriter();
        return new HookContext(root, new PrintWriter(out, true), Map.of()).lockWait(Duration.ofMillis(300));
    }

    BackupStore store() {
        return BackupStore.open(root, state).waitingAtMost(Duration.ofMillis(300));
    }

    static Path touch(Path p) throws IOException {
        if (!Files.exists(p)) {
            Files.createFile(p);
        }
        return p;
    }

    @Test
    void aKernelUpgradeDuringALongRebuildStillGetsItsBackup() throws IOException {
        // `zfsguard rebuild` holds the main lock for as long as DKMS compiles.
        try (LockHolder rebuild = LockHolder.hold(touch(state.lockFile()), false)) {
            assertThat(KernelHooks.prerm(ctx(), OLD)).isZero();
            assertThat(out.toString()).contains("backed up boot set of " + OLD).doesNotContain("NOT BACKED UP");
            assertThat(store().list()).singleElement().satisfies(s -> assertThat(s.kernel()).isEqualTo(OLD));
        }
    }

    @Test
    void aHookThatCannotGetTheStoreLockBacksUpNothingAndDeletesNothing() throws IOException {
        Path objects = Files.createDirectories(state.backupsDir().resolve("objects/ab"));
        Path orphanBlob = Files.writeString(objects.resolve("ab" + "0".repeat(62)), "nobody refers to me");
        Path staleTemp = Files.writeString(objects.resolve(".x" + AtomicFiles.TEMP_MARK + "1-1-abcdef"), "crashed");
        Path halfSet = Files.createDirectories(state.backupsDir().resolve("sets/.tmp-" + OLD + "@20261124T040000Z-abcdef"));

        try (LockHolder other = LockHolder.hold(touch(state.storeLockFile()), false)) {
            assertThat(KernelHooks.prerm(ctx(), OLD)).as("apt goes on").isZero();
            assertThat(out.toString()).contains("WARNING: NOT BACKED UP: [" + OLD + "]")
                    .contains("nothing was deleted").contains("next: once it is done, sudo zfsguard backup");
            assertThat(orphanBlob).exists();
            assertThat(staleTemp).exists();
            assertThat(halfSet).exists();
            assertThat(store().list()).isEmpty();

            // nor can anything else collect, retain or remove while another process holds it
            BackupStore s = store();
            org.assertj.core.api.Assertions.assertThatThrownBy(s::collectGarbage)
                    .isInstanceOf(org.zfsguard.state.LockBusyException.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.applyRetention(1, java.util.Set.of()))
                    .isInstanceOf(org.zfsguard.state.LockBusyException.class);
            assertThat(orphanBlob).exists();
        }
        // once it is free, the next run collects the leftovers
        assertThat(KernelHooks.prerm(ctx(), OLD)).isZero();
        assertThat(out.toString()).contains("backed up boot set of " + OLD);
        assertThat(orphanBlob).doesNotExist();
        assertThat(staleTemp).doesNotExist();
        assertThat(halfSet).doesNotExist();
    }

    @Test
    void garbageCollectionLeavesATemporaryFileWhoseWriterStillRuns() throws Exception {
        Process writer = new ProcessBuilder("sleep", "60").start();
        try {
            long start = org.zfsguard.state.ProcessIdentity.current().startTime() == 0 ? 0 : startTime(writer.pid());
            Path objects = Files.createDirectories(state.backupsDir().resolve("objects/cd"));
            Path live = Files.writeString(objects.resolve(".cd" + "1".repeat(62) + AtomicFiles.TEMP_MARK + writer.pid()
                    + "-" + start + "-abcdef"), "being written");
            Files.createDirectories(state.backupsDir().resolve("sets"));
            store().collectGarbage();
            assertThat(live).as("its writer runs").exists();
            writer.destroyForcibly().waitFor();
            store().collectGarbage();
            assertThat(live).as("its writer is gone").doesNotExist();
        } finally {
            writer.destroyForcibly();
        }
    }

    static long startTime(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19]);
    }
}
