package org.zfsguard.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.testing.FixtureSystem;
import org.zfsguard.testing.ModuleFixtures.Compression;

class RestoredKernelTest {
    static final String K = "6.1.0-40-amd64";

    @TempDir
    Path dir;

    @Test
    void aBackupFromBeforeAnOpenZfsUpgradeIsNamedStaleWithTheVersions() {
        // OpenZFS 2.3.4 installed now; the restored tree holds 2.1.11 modules (2.1.11 -> 2.3.4 on bookworm).
        new FixtureSystem(dir).kernel(K, null).meta("2.3.4", "1", "4.18", "6.15")
                .zfsModules(K, "updates/dkms", "2.1.11-1", K, Compression.NONE, List.of("zfs", "spl"));
        assertThat(RestoredKernel.staleReason(SystemRoot.at(dir), K)).contains("2.1.11-1").contains("2.3.4");
    }

    @Test
    void aBackupOfTheInstalledOpenZfsIsNotStale() {
        new FixtureSystem(dir).kernel(K, null).meta("2.3.4", "1", "4.18", "6.15")
                .zfsModules(K, "updates/dkms", "2.3.4-1", K, Compression.NONE, List.of("zfs", "spl"));
        assertThat(RestoredKernel.staleReason(SystemRoot.at(dir), K)).isNull();
    }
}
