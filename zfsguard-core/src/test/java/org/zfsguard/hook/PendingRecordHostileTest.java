package org.zfsguard.hook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.state.StateDir;

/** The pending record is never read through a symlink or from a FIFO, and writing it replaces a planted link. */
class PendingRecordHostileTest {
    @TempDir
    Path dir;

    @Test
    void aSymlinkedRecordIsDamagedAndReplacedNotWrittenThrough() throws Exception {
        StateDir state = StateDir.at(dir.resolve("state"));
        state.ensure();
        Path outside = Files.writeString(dir.resolve("outside.json"), "{\"source\":\"planted\"}");
        Files.createSymbolicLink(state.path().resolve("pending.json"), outside);
        PendingRecord record = new PendingRecord(state);

        assertThat(record.read()).hasValueSatisfying(c -> assertThat(c.source).isEqualTo("unknown (damaged record)"));
        record.write(PendingRecord.fresh("apt"));
        assertThat(Files.isSymbolicLink(state.path().resolve("pending.json"))).isFalse();
        assertThat(Files.readString(outside)).isEqualTo("{\"source\":\"planted\"}");
    }

    @Test
    void aFifoRecordIsNotReadSoTheHookDoesNotHang() throws Exception {
        StateDir state = StateDir.at(dir.resolve("state"));
        state.ensure();
        Process mk = new ProcessBuilder("mkfifo", state.path().resolve("pending.json").toString()).start();
        assertThat(mk.waitFor()).isZero();
        assertThat(new PendingRecord(state).read()).hasValueSatisfying(c -> assertThat(c.source).contains("damaged"));
    }
}
