package org.zfsguard.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * {@code /var/lib/zfsguard/events.jsonl}: what zfsguard saw and did (detections,
 * backups, verdicts, restores), one JSON object per line, appended and flushed
 * to the disk at once so that the record survives the crash it may help to
 * explain. When the file would pass its size limit it becomes
 * {@code events.jsonl.1} (replacing the previous one) and a new file starts.
 */
public final class EventJournal {
    public static final long DEFAULT_MAX_BYTES = 1024 * 1024;

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    private final Path file;
    private final long maxBytes;
    private final Clock clock;

    public EventJournal(Path file, long maxBytes, Clock clock) {
        if (maxBytes < 1024) {
            throw new IllegalArgumentException("journal limit below 1 KiB: " + maxBytes);
        }
        this.file = file;
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    public static EventJournal of(StateDir state) {
        return new EventJournal(state.journalFile(), DEFAULT_MAX_BYTES, Clock.systemUTC());
    }

    public Path file() {
        return file;
    }

    public Path rotatedFile() {
        return file.resolveSibling(file.getFileName() + ".1");
    }

    /**
     * Appends one event. {@code fields} hold strings, numbers, booleans, lists or
     * maps of them; {@code time} and {@code event} are set here.
     */
    public void append(String event, Map<String, ?> fields) throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("time", Instant.now(clock).truncatedTo(ChronoUnit.MILLIS).toString());
        o.addProperty("event", event);
        JsonObject rest = GSON.toJsonTree(fields).getAsJsonObject();
        for (String key : rest.keySet()) {
            if (!key.equals("time") && !key.equals("event")) {
                o.add(key, rest.get(key));
            }
        }
        byte[] line = (GSON.toJson(o) + "\n").getBytes(StandardCharsets.UTF_8);
        if (!Files.isDirectory(file.getParent(), LinkOption.NOFOLLOW_LINKS)) {
            StateDir.at(file.getParent()).ensure();
        }
        StateFiles.requireRegularOrAbsent(file);
        rotateIfFull(line.length);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.wrap(line);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(false);
        }
    }

    private void rotateIfFull(int adding) throws IOException {
        long size;
        try {
            size = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size();
        } catch (NoSuchFileException e) {
            return;
        }
        if (size > 0 && size + adding > maxBytes) {
            Files.move(file, rotatedFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            AtomicFiles.fsyncDirectory(file.getParent());
        }
    }

    /**
     * The events of the current file, oldest first. A line a crash cut short (or
     * anything else that is not a JSON object) is skipped, not fatal.
     */
    public List<JsonObject> read() throws IOException {
        List<JsonObject> events = new ArrayList<>();
        List<String> lines;
        StateFiles.requireRegularOrAbsent(file);
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return events;
        }
        for (String line : lines) {
            try {
                var e = JsonParser.parseString(line);
                if (e.isJsonObject()) {
                    events.add(e.getAsJsonObject());
                }
            } catch (JsonParseException ex) {
                // A torn last line after a power cut; the lines before it are intact.
            }
        }
        return events;
    }
}
