package org.zfsguard.metrics;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/** The newest event of a kind in the event journal (oldest first), and its fields. */
final class JournalEvents {
    private JournalEvents() {
    }

    static Optional<JsonObject> last(List<JsonObject> journal, Set<String> events) {
        for (int i = journal.size() - 1; i >= 0; i--) {
            JsonObject e = journal.get(i);
            if (events.contains(text(e, "event")) && time(e).isPresent()) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    static Optional<Instant> lastTime(List<JsonObject> journal, String event) {
        return last(journal, Set.of(event)).flatMap(JournalEvents::time);
    }

    static Optional<Instant> time(JsonObject e) {
        try {
            return Optional.of(Instant.parse(text(e, "time")));
        } catch (DateTimeParseException | NullPointerException ex) {
            return Optional.empty();
        }
    }

    static String text(JsonObject e, String field) {
        JsonElement v = e.get(field);
        return v != null && v.isJsonPrimitive() ? v.getAsString() : null;
    }
}
