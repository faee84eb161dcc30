package org.zfsguard.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.zfsguard.config.Config;
import org.zfsguard.state.EventJournal;
import org.zfsguard.state.StateDir;
import org.zfsguard.state.StateFiles;
import org.zfsguard.state.ZfsguardLock;
import org.zfsguard.system.SystemRoot;

/**
 * Class 1 of the hostile cases: symlinks (absolute and relative targets) and
 * FIFOs placed at every level of the state directory and around the store
 * must never make zfsguard write, chmod or delete anything outside the root.
 */
class StoreInsideRootTest extends StoreTestBase {
    Path outside;
    Map<String, String> outsideBefore;

    @BeforeEach
    void victim() throws IOException {
        outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("precious"), "keep me\n");
        Files.createDirectories(outside.resolve("6.1.0-9-amd64@20260101T000000Z-abcdef"));
        Files.writeString(outside.resolve("6.1.0-9-amd64@20260101T000000Z-abcdef/manifest"), "not ours\n");
        Files.createDirectories(outside.resolve("ab"));
        Files.writeString(outside.resolve("ab/" + "ab".repeat(32)), "a blob-looking file\n");
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rwxr-xr-x"));
        outsideBefore = BootSetFixture.snapshotTree(outside);
        BootSetFixture.create(rootDir, K, 41);
    }

    void assertOutsideUntouched() throws IOException {
        assertThat(BootSetFixture.snapshotTree(outside)).isEqualTo(outsideBefore);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(outside))).isEqualTo("rwxr-xr-x");
    }

    /** A symlink to {@link #outside}, absolute or relative. */
    void linkOut(Path link, boolean absolute) throws IOException {
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, absolute ? outside : link.getParent().relativize(outside));
    }

    @ParameterizedTest
    @ValueSource(strings = {"backups", "backups/sets", "backups/objects"})
    void aStoreDirectoryThatIsASymlinkIsRefusedAndNothingOutsideChanges(String where) throws IOException {
        for (boolean absolute : new boolean[] {true, false}) {
            Path link = state.path().resolve(where);
            if (!where.equals("backups")) {
                Files.createDirectories(state.backupsDir());
            }
            linkOut(link, absolute);
            assertThatThrownBy(() -> store().backup(K, 0)).isInstanceOf(StateFiles.UnsafeStateException.class)
                    .hasMessageContaining("is a symlink");
            assertThatThrownBy(() -> store().collectGarbage()).isInstanceOf(StateFiles.UnsafeStateException.class);
            assertThatThrownBy(() -> store().applyRetention(1, java.util.Set.of()))
                    .isInstanceOf(StateFiles.UnsafeStateException.class);
            assertThatThrownBy(() -> store().list()).isInstanceOf(StateFiles.UnsafeStateException.class);
            assertOutsideUntouched();
            Files.delete(link);
        }
    }

    @Test
    void fanOutDirectoriesAndSetsThatAreSymlinksAreRemovedAsLinksNeverFollowed() throws IOException {
        Files.createDirectories(state.backupsDir().resolve("objects"));
        Files.createDirectories(state.backupsDir().resolve("sets"));
        for (int i = 0; i < 256; i++) {
            linkOut(state.backupsDir().resolve("objects").resolve(String.format("%02x", i)), i % 2 == 0);
        }
        linkOut(state.backupsDir().resolve("sets").resolve("6.1.0-9-amd64@20260101T000000Z-abcdef"), true);
        linkOut(state.backupsDir().resolve("sets").resolve(".tmp-6.1.0-9-amd64@20260101T000000Z-abcdef"), false);

        BackupSet set = backup(K);

        assertThat(store().verify(set).ok()).isTrue();
        assertOutsideUntouched();
        assertThat(Files.isSymbolicLink(state.backupsDir().resolve("objects/00"))).isFalse();
    }

    @Test
    void aStateDirectoryThatIsASymlinkOrAFileIsRefused() throws IOException {
        linkOut(state.path(), true);
        assertThatThrownBy(() -> ZfsguardLock.acquire(state, Duration.ZERO)).isInstanceOf(StateFiles.UnsafeStateException.class)
                .hasMessageContaining("is a symlink, not a directory");
        assertThatThrownBy(() -> store().backup(K, 0)).isInstanceOf(IOException.class);
        assertOutsideUntouched();
        Files.delete(state.path());
        Files.writeString(state.path(), "a file");
        assertThatThrownBy(state::ensure).isInstanceOf(StateFiles.UnsafeStateException.class)
                .hasMessageContaining("is a regular file, not a directory");
    }

    @Test
    void aLockFileThatIsASymlinkIsNeitherTruncatedNorWritten() throws IOException {
        Files.createDirectories(state.path());
        Files.createSymbolicLink(state.lockFile(), outside.resolve("precious"));
        Files.createSymbolicLink(state.storeLockFile(), Path.of("../../../outside/precious"));
        assertThatThrownBy(() -> ZfsguardLock.acquire(state, Duration.ZERO)).isInstanceOf(StateFiles.UnsafeStateException.class);
        assertThatThrownBy(() -> ZfsguardLock.acquireStore(state, Duration.ZERO)).isInstanceOf(StateFiles.UnsafeStateException.class);
        assertThatThrownBy(() -> store().backup(K, 0)).isInstanceOf(StateFiles.UnsafeStateException.class);
        assertThat(Files.readString(outside.resolve("precious"))).isEqualTo("keep me\n");
        assertOutsideUntouched();
    }

    @Test
    void aLockFileOrJournalThatIsAFifoIsRefusedAtOnceInsteadOfHanging() throws Exception {
        Files.createDirectories(state.path());
        mkfifo(state.storeLockFile());
        mkfifo(state.journalFile());
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> store().backup(K, 0)).isInstanceOf(StateFiles.UnsafeStateException.class)
                .hasMessageContaining("FIFO");
        assertThatThrownBy(() -> journal.append("x", Map.of())).isInstanceOf(StateFiles.UnsafeStateException.class);
        assertThatThrownBy(() -> journal.read()).isInstanceOf(StateFiles.UnsafeStateException.class);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).as("refused, not blocked").isLessThan(20);
    }

    @Test
    void aJournalThatIsASymlinkIsNotAppendedTo() throws IOException {
        Files.createDirectories(state.path());
        Files.createSymbolicLink(state.journalFile(), outside.resolve("precious"));
        EventJournal j = EventJournal.of(state);
        assertThatThrownBy(() -> j.append("backup", Map.of("kernel", K))).isInstanceOf(StateFiles.UnsafeStateException.class);
        assertOutsideUntouched();
    }

    @Test
    void depmodIsNotRunWhenTheModuleTreeLeadsOutOfTheRoot() throws IOException {
        Path fakeRoot = Files.createDirectories(dir.resolve("other-root"));
        Files.createDirectories(fakeRoot.resolve("lib"));
        Files.createDirectories(outside.resolve("modules/" + K));
        outsideBefore = BootSetFixture.snapshotTree(outside);
        Files.createSymbolicLink(fakeRoot.resolve("lib/modules"), outside.resolve("modules"));
        assertThatThrownBy(() -> new ProcessDepmod().run(SystemRoot.at(fakeRoot), K))
                .hasMessageContaining("refusing to run depmod: /lib/modules leads out of the system root");
        Files.delete(fakeRoot.resolve("lib/modules"));
        Files.createDirectories(fakeRoot.resolve("lib/modules"));
        Files.createSymbolicLink(fakeRoot.resolve("lib/modules/" + K), Path.of("../../../outside/modules/" + K));
        assertThatThrownBy(() -> new ProcessDepmod().run(SystemRoot.at(fakeRoot), K))
                .hasMessageContaining("/lib/modules/" + K + " leads out of the system root");
        assertOutsideUntouched();
    }

    @Test
    void depmodRunsWithAMergedUsrLinkInsideTheRoot() throws IOException {
        Path merged = Files.createDirectories(dir.resolve("merged"));
        Files.createDirectories(merged.resolve("usr/lib/modules/" + K));
        Files.createSymbolicLink(merged.resolve("lib"), Path.of("usr/lib"));
        ProcessDepmod.checkTree(SystemRoot.at(merged), K); // no exception: the tree stays inside
        assertThat(merged.resolve("lib/modules/" + K)).isDirectory();
    }

    @Test
    void theConfigurationIsReadInsideTheRootWhenEtcIsAnAbsoluteSymlink() throws IOException {
        Files.createDirectories(outside.resolve("zfsguard"));
        Files.writeString(outside.resolve("zfsguard/zfsguard.conf"), "keep_kernels = 7\n", StandardCharsets.UTF_8);
        Path etc = rootDir.resolve("etc");
        // the target names the host's directory; inside the root it means ROOT/<that path>, which has no config
        Files.createSymbolicLink(etc, outside);
        try {
            assertThat(Config.load(root).keepKernels()).isEqualTo(Config.defaults().keepKernels());
        } catch (org.zfsguard.config.ConfigException e) {
            throw new AssertionError(e);
        }
    }

    static void mkfifo(Path p) throws Exception {
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertThat(mk.waitFor()).as("mkfifo " + p).isZero();
    }

    StateDir stateDir() {
        return state;
    }
}
