package org.zfsguard.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventJournalTest {
    @TempDir
    Path dir;

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-24T04:00:00Z"), ZoneOffset.UTC);

    @Test
    void eachEventIsOneJsonLineWithTimeAndType() throws IOException {
        EventJournal j = new EventJournal(dir.resolve("events.jsonl"), 4096, clock);
        j.append("backup", Map.of("kernel", "6.12.57-current-rockchip64", "files", 41));
        j.append("restore", Map.of("kernel", "a\nb\"c", "packages", List.of("linux-image-current-rockchip64=25.11.1")));
        List<String> lines = Files.readAllLines(j.file());
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("{\"time\":\"2026-11-24T04:00:00Z\",\"event\":\"backup\"");
        var events = j.read();
        assertThat(events.get(0).get("files").getAsInt()).isEqualTo(41);
        assertThat(events.get(1).get("kernel").getAsString()).isEqualTo("a\nb\"c");
        assertThat(events.get(1).get("packages").getAsJsonArray().get(0).getAsString())
                .isEqualTo("linux-image-current-rockchip64=25.11.1");
    }

    @Test
    void callersCannotOverrideTimeOrType() throws IOException {
        EventJournal j = new EventJournal(dir.resolve("events.jsonl"), 4096, clock);
        j.append("verdict", Map.of("event", "forged", "time", "yesterday"));
        var e = j.read().get(0);
        assertThat(e.get("event").getAsString()).isEqualTo("verdict");
        assertThat(e.get("time").getAsString()).isEqualTo("2026-11-24T04:00:00Z");
    }

    @Test
    void rotatesBySizeKeepingOneOldFile() throws IOException {
        EventJournal j = new EventJournal(dir.resolve("events.jsonl"), 1024, clock);
        for (int i = 0; i < 40; i++) {
            j.append("detection", Map.of("n", i, "pad", "x".repeat(40)));
        }
        assertThat(Files.size(j.file())).isLessThanOrEqualTo(1024);
        assertThat(j.rotatedFile()).exists();
        assertThat(Files.size(j.rotatedFile())).isLessThanOrEqualTo(1024);
        var current = j.read();
        assertThat(current.get(current.size() - 1).get("n").getAsInt()).isEqualTo(39);
        try (var s = Files.list(dir)) {
            assertThat(s).hasSize(2);
        }
    }

    @Test
    void aTornLastLineIsSkippedAndLaterAppendsStillWork() throws IOException {
        EventJournal j = new EventJournal(dir.resolve("events.jsonl"), 4096, clock);
        j.append("backup", Map.of("kernel", "k1"));
        Files.writeString(j.file(), "{\"time\":\"2026", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        assertThat(j.read()).hasSize(1);
        Files.writeString(j.file(), "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        j.append("backup", Map.of("kernel", "k2"));
        assertThat(j.read()).extracting(e -> e.get("kernel").getAsString()).containsExactly("k1", "k2");
    }
}
