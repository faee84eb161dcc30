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

        // Its writer (this process) still runs: the temporary may still be written, so it stays.
        assertThat(AtomicFiles.removeStaleTemps(dir)).isZero();
        assertThat(temp).exists();

        // The same file left by a process that is gone goes.
        Path orphan = dir.resolve(temp.getFileName().toString().replace(ProcessIdentity.current().text(), goneProcess().text()));
        Files.move(temp, orphan);
        assertThat(AtomicFiles.removeStaleTemps(dir)).isEqualTo(1);
        assertThat(orphan).doesNotExist();
        assertThat(Files.readString(f)).isEqualTo("old");
    }

    @Test
    void aTempOfALiveProcessWhosePidWasReusedIsStale() throws IOException {
        ProcessIdentity me = ProcessIdentity.current();
        assertThat(me.startTime()).isPositive();
        Path reused = dir.resolve(".x" + AtomicFiles.TEMP_MARK + me.pid() + "-" + (me.startTime() + 1) + "-abcdef");
        Path mine = dir.resolve(".y" + AtomicFiles.TEMP_MARK + me.text() + "-abcdef");
        Path legacy = dir.resolve(".z" + AtomicFiles.TEMP_MARK + "abcdef012345");
        for (Path p : new Path[] {reused, mine, legacy}) {
            Files.writeString(p, "x");
        }
        assertThat(AtomicFiles.removeStaleTemps(dir)).isEqualTo(2);
        assertThat(mine).exists();
        assertThat(reused).doesNotExist();
        assertThat(legacy).doesNotExist();
    }

    /** A process that has exited: its pid names nobody (or somebody started later). */
    static ProcessIdentity goneProcess() throws IOException {
        Process p = new ProcessBuilder("true").start();
        ProcessIdentity id = new ProcessIdentity(p.pid(), ProcessIdentity.startTimeOf(p.pid()).orElse(1L));
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new ProcessIdentity(id.pid(), id.startTime() + 1);
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
