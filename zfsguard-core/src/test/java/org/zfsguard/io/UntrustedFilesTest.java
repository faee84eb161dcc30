package org.zfsguard.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.config.Config;
import org.zfsguard.config.ConfigException;
import org.zfsguard.dpkg.InstalledVersions;
import org.zfsguard.system.SystemRoot;

/** Class 6 and 3: a FIFO or device is refused, never opened; a line is capped while it is read. */
class UntrustedFilesTest {
    /** A guard against a hang, not a timing assertion: opening a FIFO for reading blocks forever. */
    static final Duration HANG = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    static void mkfifo(Path p) throws Exception {
        Files.createDirectories(p.getParent());
        Process pr = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertThat(pr.waitFor()).isZero();
    }

    @Test
    void aFifoIsRefusedWithoutBeingOpened() throws Exception {
        Path fifo = dir.resolve("fifo");
        mkfifo(fifo);
        assertTimeoutPreemptively(HANG, () -> assertThatThrownBy(() -> RegularFile.open(fifo))
                .isInstanceOf(IOException.class).hasMessageContaining("FIFO"));
    }

    @Test
    void aDeviceADirectoryAndASymlinkAreRefused() throws Exception {
        assertThatThrownBy(() -> RegularFile.read(Path.of("/dev/zero"), 16)).hasMessageContaining("device");
        assertThatThrownBy(() -> RegularFile.read(dir, 16)).hasMessageContaining("a directory");
        Path link = dir.resolve("link");
        Files.writeString(dir.resolve("target"), "x");
        Files.createSymbolicLink(link, dir.resolve("target"));
        assertThatThrownBy(() -> RegularFile.read(link, 16)).hasMessageContaining("a symlink");
    }

    @Test
    void aFileLargerThanItsCapIsRefusedWhileReading() throws Exception {
        Path f = dir.resolve("big");
        Files.write(f, new byte[1025]);
        assertThatThrownBy(() -> RegularFile.read(f, 1024)).hasMessageContaining("larger than 1024 bytes");
        assertThat(RegularFile.read(f, 1025)).hasSize(1025);
    }

    @Test
    void aFifoConfigurationIsAOneLineErrorNotAHang() throws Exception {
        mkfifo(dir.resolve("etc/zfsguard/zfsguard.conf"));
        assertTimeoutPreemptively(HANG, () -> assertThatThrownBy(() -> Config.load(SystemRoot.at(dir)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not a regular file")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n")));
    }

    @Test
    void aFifoDpkgStatusIsTreatedAsNoDatabase() throws Exception {
        mkfifo(dir.resolve("var/lib/dpkg/status"));
        assertTimeoutPreemptively(HANG, () -> assertThat(InstalledVersions.read(SystemRoot.at(dir)).version("zfs-dkms"))
                .isEmpty());
    }

    @Test
    void anOverlongLineIsSkippedWithoutBeingHeld() throws Exception {
        byte[] text = ("short\n" + "x".repeat(10 << 20) + "\nafter\n" + "y".repeat(100)).getBytes(StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();
        try (BoundedLines r = new BoundedLines(new ByteArrayInputStream(text), 64)) {
            for (String l; (l = r.next()) != null; ) {
                lines.add(l);
            }
            assertThat(r.skipped()).isEqualTo(2);
        }
        assertThat(lines).containsExactly("short", "after");
    }

    @Test
    void linesKeepEmptyOnesAndTheLastWithoutNewline() throws Exception {
        List<String> lines = new ArrayList<>();
        try (BoundedLines r = new BoundedLines(new ByteArrayInputStream("a\n\nb".getBytes(StandardCharsets.UTF_8)), 8)) {
            for (String l; (l = r.next()) != null; ) {
                lines.add(l);
            }
        }
        assertThat(lines).containsExactly("a", "", "b");
    }
}
