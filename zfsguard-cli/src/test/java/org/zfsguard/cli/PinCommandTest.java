package org.zfsguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PinCommandTest {
    @TempDir
    Path root;

    /** A board with bookworm's zfs-dkms 2.1.11 source and bookworm-backports' real index in apt's lists. */
    private void board(String zfsDkmsStatus) throws IOException {
        Path src = Files.createDirectories(root.resolve("usr/src/zfs-2.1.11"));
        Files.writeString(src.resolve("META"), "Meta: 1\nName: zfs\nVersion: 2.1.11\nRelease: 1\n"
                + "Linux-Minimum: 3.10\nLinux-Maximum: 6.2\n");
        Path lists = Files.createDirectories(root.resolve("var/lib/apt/lists"));
        try (InputStream in = PinCommandTest.class.getResourceAsStream("/pin/debian-bookworm-backports.Packages")) {
            Files.copy(in, lists.resolve("deb.debian.org_debian_dists_bookworm-backports_main_binary-amd64_Packages"));
        }
        Path dpkg = Files.createDirectories(root.resolve("var/lib/dpkg"));
        Files.writeString(dpkg.resolve("status"), "Package: zfs-dkms\nStatus: install ok installed\nVersion: "
                + zfsDkmsStatus + "\nArchitecture: all\n\n");
    }

    @Test
    void refreshWritesThePinAndJournalsItOnceThenShowsWhatIsHeld() throws IOException {
        board("2.3.2-2~bpo12+2"); // the newest in the lists is installed: nothing newer to wait for
        CliRun first = CliRun.in(root, "pin", "--refresh");
        assertThat(first.code()).isZero();
        assertThat(first.out()).contains("(rewritten)", "held: linux-image-amd64 6.12.95-1~bpo12+1 (Linux 6.12.95+deb12-amd64)");
        String file = Files.readString(root.resolve("etc/apt/preferences.d/zfsguard"), StandardCharsets.UTF_8);
        assertThat(file).contains("Package: linux-image-amd64\nPin: version 6.12.95-1~bpo12+1\nPin-Priority: -1\n");
        assertThat(CliRun.in(root, "pin", "--refresh").out()).doesNotContain("(rewritten)");
        String journal = Files.readString(root.resolve("var/lib/zfsguard/events.jsonl"), StandardCharsets.UTF_8);
        assertThat(journal.lines().filter(l -> l.contains("\"pin-written\""))).hasSize(1);
        CliRun json = CliRun.in(root, "pin", "--json");
        assertThat(json.out()).contains("\"upToDate\": true", "\"package\": \"linux-headers-amd64\"");
    }

    @Test
    void aStalePinIsShownWithTheCommandThatRefreshesIt() throws IOException {
        board("2.3.2-2~bpo12+2");
        CliRun r = CliRun.in(root, "pin");
        assertThat(r.out()).contains("(out of date)", "next: sudo zfsguard pin --refresh");
        assertThat(root.resolve("etc/apt/preferences.d/zfsguard")).doesNotExist();
    }

    @Test
    void pinOffRemovesTheFile() throws IOException {
        board("2.3.2-2~bpo12+2");
        CliRun.in(root, "pin", "--refresh");
        Files.createDirectories(root.resolve("etc/zfsguard"));
        Files.writeString(root.resolve("etc/zfsguard/zfsguard.conf"), "pin = off\n");
        CliRun r = CliRun.in(root, "pin", "--refresh", "--quiet");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(root.resolve("etc/apt/preferences.d/zfsguard")).doesNotExist();
        assertThat(Files.readString(root.resolve("var/lib/zfsguard/events.jsonl"))).contains("\"pin-removed\"");
    }

    @Test
    void aBadPinValueIsOneLineAndNonZero() throws IOException {
        Files.createDirectories(root.resolve("etc/zfsguard"));
        Files.writeString(root.resolve("etc/zfsguard/zfsguard.conf"), "pin = sometimes\n");
        CliRun r = CliRun.in(root, "pin");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("pin = 'sometimes' must be one of auto, off");
    }
}
