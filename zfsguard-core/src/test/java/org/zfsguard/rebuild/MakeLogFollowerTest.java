package org.zfsguard.rebuild;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MakeLogFollowerTest {
    @TempDir
    Path dir;

    @Test
    void readsOnlyCompleteNewLines() throws Exception {
        Path log = dir.resolve("make.log");
        MakeLogFollower f = MakeLogFollower.skippingExisting(log);
        assertThat(f.readNew()).isEmpty();
        Files.writeString(log, "one\ntw");
        assertThat(f.readNew()).containsExactly("one");
        Files.writeString(log, "o\nthree\n", StandardOpenOption.APPEND);
        assertThat(f.readNew()).containsExactly("two", "three");
        assertThat(f.readNew()).isEmpty();
    }

    @Test
    void skipsTheLogOfAnEarlierBuildAndRereadsAReplacedOne() throws Exception {
        Path log = dir.resolve("make.log");
        Files.writeString(log, "old build line\n");
        MakeLogFollower f = MakeLogFollower.skippingExisting(log);
        assertThat(f.readNew()).isEmpty();
        // DKMS removes the build directory and starts a new log.
        Files.delete(log);
        Files.writeString(log, "DKMS make.log for zfs-2.4.0\n");
        assertThat(f.readNew()).containsExactly("DKMS make.log for zfs-2.4.0");
    }

    @Test
    void truncatedLogIsReadFromTheStart() throws Exception {
        Path log = dir.resolve("make.log");
        MakeLogFollower f = MakeLogFollower.skippingExisting(log);
        Files.writeString(log, "a long first line\nsecond\n");
        assertThat(f.readNew()).hasSize(2);
        Files.writeString(log, "new\n", StandardOpenOption.TRUNCATE_EXISTING);
        assertThat(f.readNew()).containsExactly("new");
    }

    @Test
    void symlinkedLogIsNotFollowed() throws Exception {
        Path target = Files.writeString(dir.resolve("elsewhere"), "secret\n");
        Path log = dir.resolve("make.log");
        MakeLogFollower f = MakeLogFollower.skippingExisting(log);
        Files.createSymbolicLink(log, target);
        assertThat(f.readNew()).isEmpty();
        assertThat(MakeLogFollower.tail(log, 5)).isEmpty();
    }

    @Test
    void tailGivesTheLastLinesPrintable() throws Exception {
        Path log = dir.resolve("make.log");
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= 30; i++) {
            b.append("line ").append(i).append('\n');
        }
        b.append("error: \u001b[31mred\n");
        Files.writeString(log, b);
        assertThat(MakeLogFollower.tail(log, 3)).containsExactly("line 29", "line 30", "error: \\x1b[31mred");
        assertThat(MakeLogFollower.tail(dir.resolve("missing"), 3)).isEmpty();
    }

    @Test
    void tailOfAHugeLogDropsThePartialFirstLine() throws Exception {
        Path log = dir.resolve("make.log");
        Files.writeString(log, "x".repeat(100_000) + "\nlast\n");
        assertThat(MakeLogFollower.tail(log, 5)).containsExactly("last");
    }
}
