package org.zfsguard.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Class 4 of the hostile cases: damage is visible, never silent, and a backup
 * that runs out of space leaves the store as it found it.
 */
class DamageAndSpaceTest extends StoreTestBase {

    /** Flips one bit at {@code offset} (from the end when negative). */
    static void flipBit(Path file, int offset) throws IOException {
        byte[] b = Files.readAllBytes(file);
        int i = offset < 0 ? b.length + offset : offset;
        b[i] ^= 0x04;
        Files.write(file, b);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 200, -5, -80})
    void aManifestWithOneFlippedBitIsDamagedAndItsSetAndBlobsSurviveTheNextBackup(int where) throws IOException {
        BootSetFixture.create(rootDir, K, 61);
        BackupSet only = backup(K);
        long stored = BootSetFixture.storedBytes(state.backupsDir().resolve("objects"));
        flipBit(only.dir().resolve("manifest"), where);

        assertThat(store().list()).isEmpty();
        assertThat(store().damaged()).singleElement().satisfies(d -> {
            assertThat(d.id()).isEqualTo(only.id());
            assertThat(d.problem()).contains("manifest");
        });

        // another kernel's backup (with its collection and retention) keeps the damaged set and every blob
        BootSetFixture.deleteBootSet(rootDir, K);
        BootSetFixture.create(rootDir, K2, 62);
        backup(K2);
        store().applyRetention(1, java.util.Set.of());
        assertThat(only.dir().resolve("manifest")).exists();
        assertThat(store().damaged()).extracting(BackupStore.DamagedSet::id).containsExactly(only.id());
        assertThat(BootSetFixture.storedBytes(state.backupsDir().resolve("objects"))).isGreaterThanOrEqualTo(stored);
    }

    @Test
    void aDamagedSetWhoseManifestIsGoneKeepsEveryBlob() throws IOException {
        BootSetFixture.create(rootDir, K, 63);
        BackupSet set = backup(K);
        Files.delete(set.dir().resolve("manifest"));
        Path orphan = Files.createDirectories(state.backupsDir().resolve("objects/ee")).resolve("ee" + "1".repeat(62));
        Files.writeString(orphan, "cannot tell whether the damaged set needs it");
        store().collectGarbage();
        assertThat(orphan).exists();
        assertThat(set.dir()).exists();
        assertThat(store().remove(set.id())).isTrue();
        assertThat(orphan).doesNotExist();
        assertThat(set.dir()).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 15})
    void aBackupThatRunsOutOfSpaceMidwayLeavesAnEmptySystemAsItFoundIt(int failAtBlob) throws IOException {
        BootSetFixture.create(rootDir, K, 64);
        AtomicInteger blobs = new AtomicInteger();
        BackupStore full = store(p -> {
            if (p == BackupStore.Point.BLOB_WRITTEN && blobs.incrementAndGet() == failAtBlob) {
                throw new IOException("No space left on device");
            }
        });
        assertThatThrownBy(() -> full.backup(K, 0)).hasMessageContaining("No space left");
        assertThat(state.backupsDir()).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"BLOB_WRITTEN", "MANIFEST_WRITTEN", "BEFORE_PUBLISH"})
    void aBackupThatFailsLeavesAnExistingStoreByteForByteAsItWas(String point) throws IOException {
        BootSetFixture.create(rootDir, K, 65);
        BackupSet earlier = backup(K);
        BootSetFixture.create(rootDir, K2, 66);
        Map<String, String> before = BootSetFixture.snapshotTree(state.backupsDir());
        BackupStore failing = store(p -> {
            if (p.name().equals(point)) {
                throw new IOException("No space left on device");
            }
        });
        clock.advance(java.time.Duration.ofMinutes(1));
        assertThatThrownBy(() -> failing.backup(K2, 0)).hasMessageContaining("No space left");
        assertThat(BootSetFixture.snapshotTree(state.backupsDir())).isEqualTo(before);
        assertThat(store().verify(earlier).ok()).isTrue();
    }

    @Test
    void theSpaceEstimateCountsWholeBlocksForSmallFiles() throws IOException {
        String k = "6.1.0-9-arm64";
        for (int i = 0; i < 400; i++) {
            BootSetFixture.text(rootDir, "/lib/modules/" + k + "/kernel/m" + i + ".ko", "module " + i);
        }
        // 400 files of a few bytes: a few KiB of content, but at least 400 blocks on the disk
        freeBytes = 1024 * 1024;
        BackupOutcome o = store().backup(k, 0);
        assertThat(o).isInstanceOf(BackupOutcome.Refused.class);
        assertThat(((BackupOutcome.Refused) o).reason()).contains("not enough space");
        assertThat(BackupStore.onDisk(1, 4096)).isEqualTo(4096);
        assertThat(BackupStore.onDisk(4097, 4096)).isEqualTo(8192);
        assertThat(BackupStore.onDisk(0, 4096)).isZero();

        freeBytes = 64L * 1024 * 1024;
        assertThat(store().backup(k, 0)).isInstanceOf(BackupOutcome.Created.class);
    }
}
