package org.zfsguard.hook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import org.zfsguard.state.AtomicFiles;
import org.zfsguard.state.StateDir;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;

/**
 * The pending-change record and the trigger flag. The shell hooks test only
 * whether either file exists, so the common apt run starts no JVM; the record
 * itself is written atomically (temp, fsync, rename).
 */
public final class PendingRecord {
    public static final String RECORD = "pending.json";
    /** Touched by the package's postinst when a dpkg file trigger fired. */
    public static final String TRIGGER = "pending.trigger";
    private static final long MAX_BYTES = 1 << 20;
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private final StateDir state;

    public PendingRecord(StateDir state) {
        this.state = state;
    }

    public Path recordFile() {
        return state.path().resolve(RECORD);
    }

    public Path triggerFile() {
        return state.path().resolve(TRIGGER);
    }

    /** True when a change waits to be reported. */
    public boolean pending() {
        return Files.exists(recordFile()) || Files.exists(triggerFile());
    }

    /**
     * The record, if there is one. A damaged record (a crash cut it short, or it
     * was edited) counts as an empty one from the same run: it still means a
     * change happened.
     */
    public Optional<PendingChange> read() {
        try {
            // A symlink or FIFO in its place is not read (a FIFO would hang apt): it counts as damaged.
            org.zfsguard.state.StateFiles.requireRegularOrAbsent(recordFile());
            if (Files.size(recordFile()) > MAX_BYTES) {
                return Optional.of(damaged());
            }
            String text = Files.readString(recordFile(), StandardCharsets.UTF_8);
            PendingChange c = GSON.fromJson(text, PendingChange.class);
            return Optional.of(c == null ? damaged() : c);
        } catch (NoSuchFileException e) {
            return Files.exists(triggerFile()) ? Optional.of(fresh("dpkg-trigger")) : Optional.empty();
        } catch (IOException | JsonParseException e) {
            return Optional.of(damaged());
        }
    }

    public PendingChange readOrNew(String source) {
        return read().orElseGet(() -> fresh(source));
    }

    public void write(PendingChange change) throws IOException {
        state.ensure();
        AtomicFiles.write(recordFile(), GSON.toJson(change).getBytes(StandardCharsets.UTF_8));
    }

    public void clear() throws IOException {
        Files.deleteIfExists(recordFile());
        Files.deleteIfExists(triggerFile());
        AtomicFiles.fsyncDirectory(state.path());
    }

    static PendingChange fresh(String source) {
        PendingChange c = new PendingChange();
        c.source = source;
        c.created = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        return c;
    }

    private static PendingChange damaged() {
        return fresh("unknown (damaged record)");
    }
}
