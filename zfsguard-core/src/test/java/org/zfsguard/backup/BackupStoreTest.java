package org.zfsguard.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BackupStoreTest extends StoreTestBase {

    @Test
    void aBackupListsEveryObjectOfTheBootSet() throws IOException {
        BootSetFixture.create(rootDir, K, 1);
        BackupSet set = backup(K);
        List<String> paths = set.manifest().entries().stream().map(ManifestEntry::path).toList();
        assertThat(paths).contains(
                "/lib/modules/" + K,
                "/lib/modules/" + K + "/updates/dkms/zfs.ko",
                "/lib/modules/" + K + "/kernel/crypto/" + BootSetFixture.ODD_NAME,
                "/boot/vmlinuz-" + K, "/boot/config-" + K, "/boot/System.map-" + K, "/boot/initrd.img-" + K,
                "/boot/uInitrd-" + K, "/boot/dtb-" + K + "/rockchip/rk3399-rockpro64.dtb",
                "/usr/lib/linux-image-" + K + "/rockchip/rk3399-rockpro64.dtb",
                "/var/lib/dkms/zfs/2.2.2/" + K + "/aarch64/module/zfs.ko",
                "/var/lib/dkms/zfs/kernel-" + K + "-aarch64")
                .doesNotContain("/var/lib/dkms/zfs/2.2.2/source");
        ManifestEntry build = set.manifest().entries().stream()
                .filter(e -> e.path().equals("/lib/modules/" + K + "/build")).findFirst().orElseThrow();
        assertThat(build.type()).isEqualTo(EntryType.SYMLINK);
        assertThat(build.linkTarget()).isEqualTo("/usr/src/linux-headers-" + K);
        assertThat(set.id()).startsWith(K + "@20261124T0401").matches(".*-[0-9a-f]{6}");
        assertThat(store().list()).extracting(BackupSet::id).containsExactly(set.id());
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(state.backupsDir())))
                .isEqualTo("rwx------");
        assertThat(journal.read()).anySatisfy(e -> {
            assertThat(e.get("event").getAsString()).isEqualTo("backup");
            assertThat(e.get("kernel").getAsString()).isEqualTo(K);
        });
    }

    @Test
    void aKernelWithNoFilesIsNothingToBackUp() throws IOException {
        assertThat(store().backup(K, 0)).isEqualTo(new BackupOutcome.NothingToBackUp(K));
        assertThat(store().list()).isEmpty();
    }

    @Test
    void anInvalidKernelReleaseIsRejectedBeforeAnyPathIsBuilt() {
        assertThatThrownBy(() -> store().backup("../../etc", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store().backup("a..b", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void roundTripBackupDeleteRestoreIsByteIdenticalWithModesOwnersAndSymlinks() throws IOException {
        BootSetFixture.create(rootDir, K, 2);
        Map<String, String> before = BootSetFixture.snapshot(rootDir, K);
        BackupSet set = backup(K);
        BootSetFixture.deleteBootSet(rootDir, K);
        assertThat(BootSetFixture.snapshot(rootDir, K)).isEmpty();

        RestoreOutcome o = restorer(nobody()).restore(set, new Restorer.Options(false, false, false));

        assertThat(o).isInstanceOf(RestoreOutcome.Restored.class);
        assertThat(BootSetFixture.snapshot(rootDir, K)).isEqualTo(before);
        assertThat(depmodCalls).containsExactly(rootDir + " " + K);
        assertThat(((RestoreOutcome.Restored) o).written()).isEqualTo(set.manifest().entries().size());
    }

    @Test
    void restoringOverAnIntactSetWritesNothingAndAsksNoPackage() throws IOException {
        BootSetFixture.create(rootDir, K, 3);
        BackupSet set = backup(K);
        PackageOwnership mustNotBeAsked = paths -> {
            throw new AssertionError("nothing differs, so nothing is overwritten: " + paths);
        };
        RestoreOutcome o = restorer(mustNotBeAsked).restore(set, new Restorer.Options(false, false, false));
        assertThat(((RestoreOutcome.Restored) o).written()).isZero();
    }

    @Test
    void aSecondBackupOfAnUnchangedSetWritesUnderOnePercent() throws IOException {
        BootSetFixture.create(rootDir, K, 4);
        BackupOutcome first = store().backup(K, 0);
        long storedAfterFirst = BootSetFixture.storedBytes(state.backupsDir());
        clock.advance(java.time.Duration.ofSeconds(1));
        BackupOutcome second = store().backup(K, 0);
        long storedAfterSecond = BootSetFixture.storedBytes(state.backupsDir());

        BackupOutcome.Created c1 = (BackupOutcome.Created) first;
        BackupOutcome.Created c2 = (BackupOutcome.Created) second;
        long setBytes = c2.set().bytes();
        assertThat(setBytes).isGreaterThan(3_000_000);
        // the first wrote each distinct content once (dup.ko shares m1.ko's blob)
        assertThat(c1.bytesWritten()).isLessThan(setBytes + 20_000);
        assertThat(c2.bytesWritten()).isLessThan(setBytes / 100);
        assertThat(storedAfterSecond - storedAfterFirst).isEqualTo(c2.bytesWritten()).isLessThan(setBytes / 100);
        assertThat(store().list()).hasSize(2);
    }

    @Test
    void verifyFindsACorruptedBlobAndRestoreThenRefusesWritingNothing() throws IOException {
        BootSetFixture.create(rootDir, K, 5);
        BackupSet set = backup(K);
        ManifestEntry zfs = set.manifest().entries().stream()
                .filter(e -> e.path().endsWith("/updates/dkms/zfs.ko")).findFirst().orElseThrow();
        Path blob = store().blobs().pathOf(zfs.sha256());
        byte[] b = Files.readAllBytes(blob);
        b[1000] ^= 1;
        Files.write(blob, b);

        VerifyReport r = store().verify(set);
        assertThat(r.ok()).isFalse();
        assertThat(r.problems()).singleElement().asString().contains("updates/dkms/zfs.ko").contains("damaged");
        assertThat(store().blobsPresent(set)).isTrue(); // the cheap check cannot see this; verify can

        BootSetFixture.deleteBootSet(rootDir, K);
        RestoreOutcome o = restorer(nobody()).restore(set, new Restorer.Options(true, false, false));
        assertThat(o).isInstanceOf(RestoreOutcome.Refused.class);
        assertThat(((RestoreOutcome.Refused) o).reason()).contains("failed verification");
        assertThat(BootSetFixture.snapshot(rootDir, K)).isEmpty();
        assertThat(depmodCalls).isEmpty();
    }

    @Test
    void aMissingBlobIsReportedByTheCheapCheckAndByVerify() throws IOException {
        BootSetFixture.create(rootDir, K, 6);
        BackupSet set = backup(K);
        ManifestEntry vmlinuz = set.manifest().entries().stream()
                .filter(e -> e.path().equals("/boot/vmlinuz-" + K)).findFirst().orElseThrow();
        Files.delete(store().blobs().pathOf(vmlinuz.sha256()));
        assertThat(store().blobsPresent(set)).isFalse();
        assertThat(store().verify(set).problems()).singleElement().asString().contains("/boot/vmlinuz-" + K).contains("missing");
    }

    @ParameterizedTest
    @EnumSource(BackupStore.Point.class)
    void aBackupKilledAtAnyPointLeavesNothingInvalidListedAndEarlierBackupsIntact(BackupStore.Point killAt) throws IOException {
        BootSetFixture.create(rootDir, K, 7);
        BackupSet earlier = backup(K);
        BootSetFixture.create(rootDir, K2, 8);
        AtomicInteger blobs = new AtomicInteger();
        BackupStore dying = store(p -> {
            if (p == killAt && (p != BackupStore.Point.BLOB_WRITTEN || blobs.incrementAndGet() == 5)) {
                throw new Killed("killed at " + p);
            }
        });
        clock.advance(java.time.Duration.ofMinutes(1));
        assertThatThrownBy(() -> dying.backup(K2, 0)).hasMessage("killed at " + killAt);

        assertThat(store().list()).extracting(BackupSet::id).containsExactly(earlier.id());
        assertThat(store().verify(earlier).ok()).isTrue();
        try (var s = Files.list(state.backupsDir().resolve("sets"))) {
            assertThat(s.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith(".tmp-"));
        }

        // the next run collects the leftovers and works
        BackupSet next = backup(K2);
        try (var s = Files.list(state.backupsDir().resolve("sets"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(earlier.id(), next.id());
        }
        assertThat(store().verify(next).ok()).isTrue();
        assertThat(store().verify(earlier).ok()).isTrue();
        assertThat(store().collectGarbage()).isEqualTo(new BackupStore.Garbage(0, 0, 0));
    }

    @Test
    void leftoverBlobsOfAKilledBackupAreCollected() throws IOException {
        BootSetFixture.create(rootDir, K2, 9);
        BackupStore dying = store(p -> {
            if (p == BackupStore.Point.BEFORE_PUBLISH) {
                throw new Killed("killed");
            }
        });
        assertThatThrownBy(() -> dying.backup(K2, 0)).hasMessage("killed");
        long leftover = BootSetFixture.storedBytes(state.backupsDir());
        assertThat(leftover).isGreaterThan(3_000_000);
        // and a blob temp file a kill left mid-write
        Path objects = state.backupsDir().resolve("objects");
        Files.createDirectories(objects.resolve("ab"));
        Files.writeString(objects.resolve("ab").resolve(".x" + org.zfsguard.state.AtomicFiles.TEMP_MARK + "1"), "half");

        BackupStore.Garbage g = store().collectGarbage();
        assertThat(g.sets()).isEqualTo(1);
        assertThat(g.bytes()).isGreaterThan(3_000_000);
        assertThat(BootSetFixture.storedBytes(state.backupsDir())).isZero();
    }

    @Test
    void aVisibleSetWithATruncatedOrTamperedManifestIsListedAsDamagedAndKeptWithItsBlobs() throws IOException {
        BootSetFixture.create(rootDir, K, 10);
        BackupSet good = backup(K);
        BackupSet cut = backup(K);
        BackupSet tampered = backup(K);
        byte[] m = Files.readAllBytes(cut.dir().resolve("manifest"));
        Files.write(cut.dir().resolve("manifest"), java.util.Arrays.copyOf(m, m.length - 30));
        String t = Files.readString(tampered.dir().resolve("manifest"));
        Files.writeString(tampered.dir().resolve("manifest"), t.replace("\t0644\t", "\t4755\t"));

        assertThat(store().list()).extracting(BackupSet::id).containsExactly(good.id());
        assertThat(store().find(cut.id())).isEmpty();
        assertThat(store().damaged()).extracting(BackupStore.DamagedSet::id)
                .containsExactlyInAnyOrder(cut.id(), tampered.id());
        assertThat(store().collectGarbage().sets()).isZero();
        assertThat(cut.dir()).exists();
        assertThat(tampered.dir()).exists();
        assertThat(store().verify(good).ok()).isTrue();

        // the operator removes them; then they and nothing else go
        assertThat(store().remove(cut.id())).isTrue();
        assertThat(store().remove(tampered.id())).isTrue();
        assertThat(store().damaged()).isEmpty();
        assertThat(store().verify(good).ok()).isTrue();
    }

    @Test
    void aFullDiskRefusesLoudlyAndWritesNothing() throws IOException {
        BootSetFixture.create(rootDir, K, 11);
        freeBytes = 257L * 1024 * 1024;
        BackupOutcome o = store().backup(K, 256L * 1024 * 1024);
        assertThat(o).isInstanceOf(BackupOutcome.Refused.class);
        assertThat(((BackupOutcome.Refused) o).reason()).contains("not enough space").contains("reserve_mib")
                .contains("257.0 MiB are free").contains("256.0 MiB must stay free");
        assertThat(store().list()).isEmpty();
        assertThat(BootSetFixture.storedBytes(state.backupsDir())).isZero();
        assertThat(journal.read()).anySatisfy(e -> assertThat(e.get("event").getAsString()).isEqualTo("backup-refused"));
    }

    @Test
    void aNearlyFullDiskStillTakesABackupWhoseContentIsAlreadyStored() throws IOException {
        BootSetFixture.create(rootDir, K, 12);
        BackupSet first = backup(K);
        // room for the manifest, not for the content again
        freeBytes = 256L * 1024 * 1024 + 200_000;
        BackupOutcome o = store().backup(K, 256L * 1024 * 1024);
        assertThat(o).isInstanceOf(BackupOutcome.Created.class);
        assertThat(((BackupOutcome.Created) o).bytesWritten()).isLessThan(first.bytes() / 100);
    }

    @Test
    void retentionKeepsTheNewestOfTheLastKernelsAndTheProtectedOneAndFreesBlobs() throws IOException {
        String k1 = "6.6.60-current-rockchip64";
        BootSetFixture.create(rootDir, k1, 20);
        BackupSet old1 = backup(k1);
        BootSetFixture.create(rootDir, K, 21);
        BackupSet kA = backup(K);
        BackupSet kB = backup(K);
        BootSetFixture.create(rootDir, K2, 22);
        BackupSet k2 = backup(K2);

        List<BackupSet> deleted = store().applyRetention(1, Set.of(k1));

        assertThat(deleted).extracting(BackupSet::id).containsExactlyInAnyOrder(kA.id(), kB.id());
        assertThat(store().list()).extracting(BackupSet::id).containsExactly(k2.id(), old1.id());
        // K's blobs are gone, the survivors are whole
        ManifestEntry kZfs = kB.manifest().entries().stream()
                .filter(e -> e.path().endsWith("updates/dkms/zfs.ko")).findFirst().orElseThrow();
        assertThat(store().blobs().pathOf(kZfs.sha256())).doesNotExist();
        assertThat(store().verify(old1).ok()).isTrue();
        assertThat(store().verify(k2).ok()).isTrue();
        assertThat(journal.read()).filteredOn(e -> e.get("event").getAsString().equals("backup-deleted")).hasSize(2);
    }

    @Test
    void aBackupTakenAfterZfsWasRemovedDoesNotPushOutTheOneWithZfs() throws IOException {
        BootSetFixture.create(rootDir, K, 25);
        BackupSet withZfs = backup(K);
        Files.delete(BootSetFixture.p(rootDir, "/lib/modules/" + K + "/updates/dkms/zfs.ko"));
        BackupSet without = backup(K);
        BackupSet withoutAgain = backup(K);

        List<BackupSet> deleted = store().applyRetention(2, Set.of());

        assertThat(deleted).extracting(BackupSet::id).containsExactly(without.id());
        assertThat(store().list()).extracting(BackupSet::id).containsExactly(withoutAgain.id(), withZfs.id());
        assertThat(store().verify(withZfs).ok()).isTrue();
    }

    @Test
    void theSameFilesGiveTheSameManifestEntriesInSortedOrder() throws IOException {
        BootSetFixture.create(rootDir, K, 26);
        BackupSet a = backup(K);
        BackupSet b = backup(K);
        assertThat(b.manifest().entries()).isEqualTo(a.manifest().entries());
        assertThat(b.manifest().contentDigest()).isEqualTo(a.manifest().contentDigest());
        List<String> underUpdates = a.manifest().entries().stream().map(ManifestEntry::path)
                .filter(p -> p.startsWith("/lib/modules/" + K + "/updates")).toList();
        assertThat(underUpdates).containsExactly("/lib/modules/" + K + "/updates", "/lib/modules/" + K + "/updates/dkms",
                "/lib/modules/" + K + "/updates/dkms/spl.ko", "/lib/modules/" + K + "/updates/dkms/zfs.ko");
    }

    @Test
    void idsOfTheSameSecondDiffer() throws IOException {
        BootSetFixture.create(rootDir, K, 23);
        BackupSet a = ((BackupOutcome.Created) store().backup(K, 0)).set();
        BackupSet b = ((BackupOutcome.Created) store().backup(K, 0)).set();
        assertThat(a.id()).isNotEqualTo(b.id());
        assertThat(store().list()).hasSize(2);
    }

    @Test
    void aSetsDirectoryEntryThatIsASymlinkIsIgnored() throws IOException {
        BootSetFixture.create(rootDir, K, 24);
        BackupSet real = backup(K);
        Path fake = state.backupsDir().resolve("sets").resolve(K + "@20300101T000000Z-aaaaaa");
        Files.createSymbolicLink(fake, real.dir());
        assertThat(store().list()).extracting(BackupSet::id).containsExactly(real.id());
        Files.writeString(real.dir().resolve("manifest"), "x", StandardOpenOption.APPEND);
        assertThat(store().list()).isEmpty();
    }

    /** What a kill looks like to the code in the process: nothing after it runs, nothing is undone. */
    static final class Killed extends Error {
        private static final long serialVersionUID = 1L;

        Killed(String message) {
            super(message);
        }
    }
}
