package org.zfsguard.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void writeReplacesTheContentAndLeavesNoTemporaryFile() throws IOException {
        Path f = dir.resolve("state");
        AtomicFiles.write(f, "old".getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(f, "new".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(f)).isEqualTo("new");
        try (var s = Files.list(dir)) {
            assertThat(s).containsExactly(f);
        }
    }

    @Test
    void aWriteThatFailsMidwayKeepsTheOldFileAndRemovesItsTemporary() throws IOException {
        Path f = dir.resolve("state");
        AtomicFiles.write(f, "old".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> AtomicFiles.write(f, out -> {
            out.write("half of the new".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        })).hasMessageContaining("disk full");
        assertThat(Files.readString(f)).isEqualTo("old");
        try (var s = Files.list(dir)) {
            assertThat(s).containsExactly(f);
        }
    }

    @Test
    void aProcessKilledBeforeTheRenameLeavesATemporaryThatIsIgnoredAndCleanedUp() throws IOException {
        Path f = dir.resolve("state");
        AtomicFiles.write(f, "old".getBytes(StandardCharsets.UTF_8));
        // What a kill between write and rename leaves: a flushed temporary, never committed.
        Path temp = AtomicFiles.writeTemp(f, out -> out.write("new but never committed".getBytes(StandardCharsets.UTF_8)));
        assertThat(AtomicFiles.isTemp(temp)).isTrue();
        assertThat(AtomicFiles.isTemp(f)).isFalse();
        assertThat(Files.readString(f)).isEqualTo("old");

        assertThat(AtomicFiles.removeStaleTemps(dir)).isEqualTo(1);
        assertThat(temp).doesNotExist();
        assertThat(Files.readString(f)).isEqualTo("old");
    }

    @Test
    void removeStaleTempsOnAMissingDirectoryIsNothing() throws IOException {
        assertThat(AtomicFiles.removeStaleTemps(dir.resolve("nope"))).isZero();
    }

    @Test
    void replaceSymlinkRepointsAnExistingLink() throws IOException {
        Path link = dir.resolve("Image");
        Files.createSymbolicLink(link, Path.of("vmlinuz-1"));
        AtomicFiles.replaceSymlink(link, "vmlinuz-2");
        assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("vmlinuz-2"));
        try (var s = Files.list(dir)) {
            assertThat(s).containsExactly(link);
        }
    }

    @Test
    void tempNamesOfLongFileNamesStayWithinNameLimits() {
        Path t = AtomicFiles.tempNameFor(dir.resolve("x".repeat(250)));
        assertThat(t.getFileName().toString().length()).isLessThan(255);
        assertThat(AtomicFiles.isTemp(t)).isTrue();
    }
}
