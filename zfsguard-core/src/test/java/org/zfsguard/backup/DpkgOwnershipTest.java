package org.zfsguard.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.system.SystemRoot;

class DpkgOwnershipTest {
    @TempDir
    Path root;

    @Test
    void findsOwnersInListFilesIncludingMergedUsrSpellingsAndArchQualifiedNames() throws IOException {
        Path info = Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.writeString(info.resolve("linux-image-current-rockchip64.list"),
                "/.\n/boot\n/boot/vmlinuz-6.12.58-current-rockchip64\n/lib/modules/6.12.58-current-rockchip64/kernel/a.ko\n");
        Files.writeString(info.resolve("linux-image-6.1.0-56-amd64:amd64.list"),
                "/usr/lib/modules/6.1.0-56-amd64/kernel/b.ko\n");
        Files.writeString(info.resolve("linux-image-current-rockchip64.md5sums"), "/boot/vmlinuz-x\n");

        var owners = new DpkgOwnership(SystemRoot.at(root)).owners(List.of(
                "/boot/vmlinuz-6.12.58-current-rockchip64",
                "/lib/modules/6.1.0-56-amd64/kernel/b.ko",
                "/boot/vmlinuz-6.12.57-current-rockchip64"));

        assertThat(owners).containsOnly(
                org.assertj.core.api.Assertions.entry("/boot/vmlinuz-6.12.58-current-rockchip64", "linux-image-current-rockchip64"),
                org.assertj.core.api.Assertions.entry("/lib/modules/6.1.0-56-amd64/kernel/b.ko", "linux-image-6.1.0-56-amd64"));
    }

    @Test
    void noDpkgDatabaseMeansNoOwners() throws IOException {
        assertThat(new DpkgOwnership(SystemRoot.at(root)).owners(List.of("/boot/vmlinuz-1"))).isEmpty();
    }
}
