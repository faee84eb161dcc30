package org.zfsguard.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class RestorerTest extends StoreTestBase {
    private static final Restorer.Options PLAIN = new Restorer.Options(false, false, false);

    @Test
    void refusesToOverwriteFilesAPackageOwnsUnlessForced() throws IOException {
        BootSetFixture.create(rootDir, K, 30);
        BackupSet set = backup(K);
        Path vmlinuz = BootSetFixture.p(rootDir, "/boot/vmlinuz-" + K);
        Files.writeString(vmlinuz, "a newer build of the same release, from the package");
        PackageOwnership dpkg = paths -> paths.stream().filter(p -> p.startsWith("/boot/"))
                .collect(Collectors.toMap(p -> p, p -> "linux-image-current-rockchip64"));

        RestoreOutcome refused = restorer(dpkg).restore(set, PLAIN);
        assertThat(refused).isInstanceOf(RestoreOutcome.Refused.class);
        assertThat(((RestoreOutcome.Refused) refused).details())
                .containsExactly("/boot/vmlinuz-" + K + " (package linux-image-current-rockchip64)");
        assertThat(Files.readString(vmlinuz)).startsWith("a newer build");
        assertThat(depmodCalls).isEmpty();

        RestoreOutcome forced = restorer(dpkg).restore(set, new Restorer.Options(true, false, false));
        assertThat(forced).isInstanceOf(RestoreOutcome.Restored.class);
        assertThat(((RestoreOutcome.Restored) forced).written()).isEqualTo(1);
        assertThat(Files.size(vmlinuz)).isEqualTo(1_200_000);
        assertThat(journal.read()).anySatisfy(e -> {
            assertThat(e.get("event").getAsString()).isEqualTo("restore");
            assertThat(e.get("forced_over_packages").getAsJsonArray().get(0).getAsString())
                    .isEqualTo("linux-image-current-rockchip64");
        });
    }

    @Test
    void dryRunPrintsThePlanAndChangesNothing() throws IOException {
        BootSetFixture.create(rootDir, K, 31);
        BackupSet set = backup(K);
        Files.delete(BootSetFixture.p(rootDir, "/boot/vmlinuz-" + K));
        BackupStore.deleteTree(BootSetFixture.p(rootDir, "/lib/modules/" + K + "/updates"));
        Files.writeString(rootDir.resolve("etc-armbian-release-absent"), "");
        Map<String, String> before = BootSetFixture.snapshot(rootDir, K);

        RestoreOutcome o = restorer(nobody()).restore(set, new Restorer.Options(false, true, true));

        assertThat(o).isInstanceOf(RestoreOutcome.Planned.class);
        List<String> steps = ((RestoreOutcome.Planned) o).steps();
        assertThat(steps).contains(
                "create file /boot/vmlinuz-" + K + " (1200000 bytes, mode 0644)",
                "create directory /lib/modules/" + K + "/updates",
                "create file /lib/modules/" + K + "/updates/dkms/zfs.ko (300000 bytes, mode 0644)",
                "run depmod -b " + rootDir + " " + K);
        assertThat(steps).anyMatch(s -> s.startsWith("keep ") && s.endsWith("already match the backup"));
        assertThat(steps).anyMatch(s -> s.contains("update-grub"));
        assertThat(BootSetFixture.snapshot(rootDir, K)).isEqualTo(before);
        assertThat(depmodCalls).isEmpty();
    }

    /**
     * An Armbian board after an in-place kernel upgrade: K backed up, then its files
     * gone, and /boot/Image, uInitrd and dtb naming K2.
     */
    private BackupSet armbianUpgradedInPlace(int seed) throws IOException {
        BootSetFixture.create(rootDir, K, seed);
        BackupSet set = backup(K);
        BootSetFixture.deleteBootSet(rootDir, K);
        BootSetFixture.text(rootDir, "/etc/armbian-release", "BOARD=rockpro64\n");
        Path boot = rootDir.resolve("boot");
        Files.createSymbolicLink(boot.resolve("Image"), Path.of("vmlinuz-" + K2));
        Files.createSymbolicLink(boot.resolve("uInitrd"), Path.of("uInitrd-" + K2));
        Files.createSymbolicLink(boot.resolve("dtb"), Path.of("dtb-" + K2));
        return set;
    }

    @Test
    void activateOnArmbianRepointsImageUInitrdAndDtb() throws IOException {
        BackupSet set = armbianUpgradedInPlace(32);
        Path boot = rootDir.resolve("boot");

        RestoreOutcome o = restorer(nobody()).restore(set, new Restorer.Options(false, false, true));

        assertThat(Files.readSymbolicLink(boot.resolve("Image"))).isEqualTo(Path.of("vmlinuz-" + K));
        assertThat(Files.readSymbolicLink(boot.resolve("uInitrd"))).isEqualTo(Path.of("uInitrd-" + K));
        assertThat(Files.readSymbolicLink(boot.resolve("dtb"))).isEqualTo(Path.of("dtb-" + K));
        assertThat(((RestoreOutcome.Restored) o).notes()).contains("pointed /boot/Image -> vmlinuz-" + K);
        try (var s = Files.list(boot)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".zfsguard-tmp-"));
        }
    }

    @Test
    void theDryRunAfterAnArmbianInPlaceUpgradePredictsTheLinksTheRunRepoints() throws IOException {
        BackupSet set = armbianUpgradedInPlace(34);
        Path boot = rootDir.resolve("boot");

        RestoreOutcome plan = restorer(nobody()).restore(set, new Restorer.Options(false, true, true));
        List<String> steps = ((RestoreOutcome.Planned) plan).steps();
        assertThat(steps).contains("would point /boot/Image -> vmlinuz-" + K, "would point /boot/uInitrd -> uInitrd-" + K,
                "would point /boot/dtb -> dtb-" + K);
        assertThat(steps).noneMatch(l -> l.contains("left unchanged"));
        assertThat(Files.readSymbolicLink(boot.resolve("Image"))).as("a dry run changes nothing").isEqualTo(Path.of("vmlinuz-" + K2));

        RestoreOutcome done = restorer(nobody()).restore(set, new Restorer.Options(false, false, true));
        assertThat(((RestoreOutcome.Restored) done).notes()).contains("pointed /boot/Image -> vmlinuz-" + K,
                "pointed /boot/uInitrd -> uInitrd-" + K, "pointed /boot/dtb -> dtb-" + K);
    }

    @Test
    void restoreTargetsStayInsideTheRootWhateverTheSymlinksOnTheWay() throws IOException {
        BootSetFixture.create(rootDir, K, 35);
        BackupSet set = backup(K);
        BootSetFixture.deleteBootSet(rootDir, K);
        Path outside = Files.createDirectories(dir.resolve("outside"));
        // an item that is a symlink out of the root: refused as a conflict, nothing written there
        Files.createSymbolicLink(rootDir.resolve("boot/dtb-" + K), outside);
        RestoreOutcome o = restorer(nobody()).restore(set, new Restorer.Options(false, false, false));
        assertThat(o).isInstanceOf(RestoreOutcome.Refused.class);
        try (var s = Files.list(outside)) {
            assertThat(s).isEmpty();
        }
        // /boot as an absolute symlink means the root's /boot-real, never the host's path of that name
        Files.delete(rootDir.resolve("boot/dtb-" + K));
        Path realBoot = Files.createDirectories(rootDir.resolve("boot-real"));
        try (var s = Files.list(rootDir.resolve("boot"))) {
            for (Path p : s.toList()) {
                Files.move(p, realBoot.resolve(p.getFileName()));
            }
        }
        Files.delete(rootDir.resolve("boot"));
        Files.createSymbolicLink(rootDir.resolve("boot"), Path.of("/boot-real"));
        RestoreOutcome done = restorer(nobody()).restore(set, new Restorer.Options(false, false, false));
        assertThat(done).isInstanceOf(RestoreOutcome.Restored.class);
        assertThat(realBoot.resolve("vmlinuz-" + K)).isRegularFile();
        assertThat(Path.of("/boot-real")).doesNotExist();
    }

    @Test
    void activateOnAVfatBootReplacesTheCopiedImage() throws IOException {
        BootSetFixture.create(rootDir, K, 33);
        BackupSet set = backup(K);
        BootSetFixture.text(rootDir, "/etc/armbian-release", "BOARD=rockpro64\n");
        BootSetFixture.text(rootDir, "/boot/Image", "the old kernel, copied");
        RestoreOutcome o = restorer(nobody()).restore(set, new Restorer.Options(false, false, true));
        assertThat(Files.readAllBytes(rootDir.resolve("boot/Image")))
                .isEqualTo(Files.readAllBytes(rootDir.resolve("boot/vmlinuz-" + K)));
        assertThat(((RestoreOutcome.Restored) o).notes()).anyMatch(n -> n.contains("no symlinks on this /boot"));
    }

    @Test
    void activateElsewhereLeavesTheBootLoaderAloneAndSaysWhatItNeeds() throws IOException {
        BootSetFixture.create(rootDir, K, 34);
        BackupSet set = backup(K);
        RestoreOutcome o = restorer(nobody()).restore(set, new Restorer.Options(false, false, true));
        assertThat(((RestoreOutcome.Restored) o).notes())
                .anyMatch(n -> n.startsWith("not an Armbian system"))
                .anyMatch(n -> n.contains("/boot/initrd.img-" + K + " (present)"));
        assertThat(rootDir.resolve("boot/Image")).doesNotExist();
    }

    @Test
    void aSystemSymlinkWhereTheBackupHasADirectoryIsNeverFollowed() throws IOException {
        BootSetFixture.create(rootDir, K, 35);
        BackupSet set = backup(K);
        BootSetFixture.deleteBootSet(rootDir, K);
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createDirectories(rootDir.resolve("lib/modules/" + K));
        Files.createSymbolicLink(rootDir.resolve("lib/modules/" + K + "/kernel"), outside);

        RestoreOutcome o = restorer(nobody()).restore(set, new Restorer.Options(true, false, false));

        assertThat(o).isInstanceOf(RestoreOutcome.Refused.class);
        assertThat(((RestoreOutcome.Refused) o).details()).anyMatch(d -> d.contains("/kernel is not a directory"));
        try (var s = Files.list(outside)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void linksThatPointOutOfTheRootAreRestoredAsLinksAndNeverWrittenThrough() throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        String mod = "/lib/modules/" + K;
        byte[] content = "module".getBytes();
        String sha = Hashing.sha256Hex(content);
        List<ManifestEntry> entries = List.of(
                ManifestEntry.dir(mod, 0755, 0, 0),
                ManifestEntry.symlink(mod + "/escape", 0, 0, outside.toString()),
                ManifestEntry.symlink(mod + "/up", 0, 0, "../../../../../../../.." + outside),
                ManifestEntry.file(mod + "/m.ko", 0644, 0, 0, content.length, sha));
        BackupSet set = craft(entries, Map.of(sha, content));

        RestoreOutcome o = restorer(nobody()).restore(set, PLAIN);

        assertThat(o).isInstanceOf(RestoreOutcome.Restored.class);
        assertThat(Files.readSymbolicLink(rootDir.resolve("lib/modules/" + K + "/escape"))).isEqualTo(outside);
        assertThat(Files.readString(rootDir.resolve("lib/modules/" + K + "/m.ko"))).isEqualTo("module");
        try (var s = Files.list(outside)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void aManifestThatWouldWriteThroughItsOwnLinkIsNotAValidSet() throws IOException {
        String mod = "/lib/modules/" + K;
        byte[] content = "x".getBytes();
        String sha = Hashing.sha256Hex(content);
        List<ManifestEntry> entries = List.of(
                ManifestEntry.dir(mod, 0755, 0, 0),
                ManifestEntry.symlink(mod + "/etc", 0, 0, "/etc"),
                ManifestEntry.file(mod + "/etc/passwd", 0644, 0, 0, 1, sha));
        Manifest m = new Manifest(K, Instant.parse("2026-11-24T04:00:00Z"), entries);
        assertThatThrownBy(() -> Manifest.parse(m.toBytes())).isInstanceOf(ManifestException.class)
                .hasMessageContaining("comes before or outside its directory");
        Path setDir = Files.createDirectories(state.backupsDir().resolve("sets").resolve(K + "@20261124T040000Z-abcdef"));
        Files.write(setDir.resolve("manifest"), m.toBytes());
        assertThat(store().list()).isEmpty();
    }

    @Test
    void aMergedUsrRootIsFollowedInsideTheRoot() throws IOException {
        // /lib -> /usr/lib as an absolute link: the host must not follow it to its own /usr/lib
        BootSetFixture.create(rootDir, K, 36);
        Files.createDirectories(rootDir.resolve("usr/lib"));
        Files.move(rootDir.resolve("lib"), rootDir.resolve("usr/lib-moved"));
        Files.move(rootDir.resolve("usr/lib-moved/modules"), rootDir.resolve("usr/lib/modules"));
        Files.createSymbolicLink(rootDir.resolve("lib"), Path.of("/usr/lib"));
        assertThat(rootDir.resolve("usr/lib/modules/" + K + "/updates/dkms/zfs.ko")).exists();
        BackupSet set = backup(K);
        assertThat(set.manifest().entries()).anyMatch(e -> e.path().equals("/lib/modules/" + K + "/updates/dkms/zfs.ko"));
        BackupStore.deleteTree(rootDir.resolve("usr/lib/modules/" + K));
        restorer(nobody()).restore(set, PLAIN);
        assertThat(rootDir.resolve("usr/lib/modules/" + K + "/updates/dkms/zfs.ko")).exists();
    }

    @Test
    void aDepmodFailureIsAWarningAfterTheFilesAreBack() throws IOException {
        BootSetFixture.create(rootDir, K, 37);
        BackupSet set = backup(K);
        BootSetFixture.deleteBootSet(rootDir, K);
        Depmod failing = (r, k) -> {
            throw new IOException("depmod exited with 1");
        };
        RestoreOutcome o = new Restorer(root, store(), nobody(), failing).restore(set, PLAIN);
        assertThat(((RestoreOutcome.Restored) o).warnings()).containsExactly("depmod for " + K + " failed: depmod exited with 1");
        assertThat(rootDir.resolve("boot/vmlinuz-" + K)).exists();
    }

    /** Needs root: mounts the fixture's /boot read-only (as some Armbian images keep it). */
    @Test
    void aReadOnlyBootIsFoundBeforeAnythingIsWritten() throws Exception {
        Assumptions.assumeTrue(BootSetFixture.isRoot(), "needs root to mount a read-only bind mount");
        BootSetFixture.create(rootDir, K, 38);
        BackupSet set = backup(K);
        BootSetFixture.deleteBootSet(rootDir, K);
        Files.createDirectories(rootDir.resolve("lib/modules"));
        Path boot = rootDir.resolve("boot");
        mount("--bind", boot.toString(), boot.toString());
        try {
            mount("-o", "remount,bind,ro", boot.toString(), boot.toString());
            RestoreOutcome o = restorer(nobody()).restore(set, PLAIN);

            assertThat(o).isInstanceOf(RestoreOutcome.Refused.class);
            RestoreOutcome.Refused r = (RestoreOutcome.Refused) o;
            assertThat(r.why()).isEqualTo(RestoreOutcome.Why.READ_ONLY);
            assertThat(r.details()).containsExactly(
                    "/boot is on a read-only file system; make it writable: mount -o remount,rw " + boot);
            assertThat(rootDir.resolve("lib/modules/" + K)).doesNotExist();
            assertThat(depmodCalls).isEmpty();
        } finally {
            mount("-u", boot.toString());
        }
        assertThat(restorer(nobody()).restore(set, PLAIN)).isInstanceOf(RestoreOutcome.Restored.class);
    }

    private static void mount(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(args[0].equals("-u") ? "umount" : "mount"));
        cmd.addAll(List.of(args).subList(args[0].equals("-u") ? 1 : 0, args.length));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("%s: %s", cmd, out).isZero();
    }

    private BackupSet craft(List<ManifestEntry> entries, Map<String, byte[]> blobs) throws IOException {
        for (Map.Entry<String, byte[]> b : blobs.entrySet()) {
            Path p = store().blobs().pathOf(b.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, b.getValue());
        }
        String id = K + "@20261124T040000Z-abcdef";
        Path setDir = Files.createDirectories(state.backupsDir().resolve("sets").resolve(id));
        Files.write(setDir.resolve("manifest"), new Manifest(K, Instant.parse("2026-11-24T04:00:00Z"), entries).toBytes());
        return store().find(id).orElseThrow();
    }
}
