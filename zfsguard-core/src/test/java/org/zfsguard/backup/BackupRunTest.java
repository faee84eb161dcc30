package org.zfsguard.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Class 5 of the hostile cases: retention never deletes what the next boot
 * needs (the same {@link org.zfsguard.kernel.NextBoot} rule as status), nor a
 * backup the same run made.
 */
class BackupRunTest extends StoreTestBase {
    BackupRun.Result run(int keep, String... kernels) throws IOException {
        clock.advance(java.time.Duration.ofMinutes(1));
        return new BackupRun(root, store()).run(List.of(kernels), 0, keep);
    }

    @Test
    void aRunNeverDeletesABackupItMadeItself() throws IOException {
        BootSetFixture.create(rootDir, K, 51);
        BootSetFixture.create(rootDir, K2, 52);
        BackupRun.Result r = run(1, K, K2);
        assertThat(r.outcomes()).allMatch(o -> o instanceof BackupOutcome.Created);
        assertThat(r.removed()).isEmpty();
        assertThat(store().list()).extracting(BackupSet::kernel).containsExactlyInAnyOrder(K, K2);
    }

    @Test
    void theNextBootKernelNamedByTheVmlinuzLinkKeepsItsBackup() throws IOException {
        BootSetFixture.create(rootDir, K, 53);
        BootSetFixture.create(rootDir, K2, 54);
        // GRUB-style system: no /boot/Image, /boot/vmlinuz names the older kernel as the next boot
        Files.createSymbolicLink(rootDir.resolve("boot/vmlinuz"), Path.of("vmlinuz-" + K));
        assertThat(BackupRun.protectedKernels(root)).containsExactly(K);
        run(1, K);
        BackupRun.Result second = run(1, K2);
        assertThat(second.removed()).isEmpty();
        assertThat(store().list()).extracting(BackupSet::kernel).containsExactlyInAnyOrder(K, K2);

        // once the link moves on, the older one goes as keep_kernels says
        Files.delete(rootDir.resolve("boot/vmlinuz"));
        Files.createSymbolicLink(rootDir.resolve("boot/vmlinuz"), Path.of("vmlinuz-" + K2));
        BackupRun.Result third = run(1, K2);
        assertThat(third.removed()).extracting(BackupSet::kernel).contains(K);
        assertThat(store().list()).singleElement().satisfies(s -> assertThat(s.kernel()).isEqualTo(K2));
    }

    @Test
    void withoutABootLoaderToReadEveryInstalledKernelIsProtected() throws IOException {
        BootSetFixture.create(rootDir, K, 55);
        BootSetFixture.create(rootDir, K2, 56);
        // status says "cannot tell which kernel boots next": any of them may
        assertThat(BackupRun.protectedKernels(root)).containsExactlyInAnyOrder(K, K2);
        run(1, K2);
        BackupRun.Result r = run(1, K);
        // both may boot next, and K was made by this run: both stay
        assertThat(r.removed()).isEmpty();
        assertThat(store().list()).hasSize(2);
    }

    @Test
    void installedKernelsAreTheReleaseNamedDirectoriesOfLibModules() throws IOException {
        BootSetFixture.create(rootDir, K2, 57);
        BootSetFixture.create(rootDir, K, 58);
        Files.createDirectories(rootDir.resolve("lib/modules/not a kernel"));
        Files.createSymbolicLink(rootDir.resolve("lib/modules/6.1.0-9-amd64"), Path.of(K));
        assertThat(BackupRun.installedKernels(root)).containsExactly(K, K2);
    }
}
