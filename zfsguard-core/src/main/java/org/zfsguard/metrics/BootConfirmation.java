package org.zfsguard.metrics;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.google.gson.JsonObject;

/**
 * When a boot was last confirmed to have loaded ZFS. The seam for the boot
 * guard: it records each confirmation as a {@value #EVENT} event in the event
 * journal, and this reads the newest one. Until a confirmation exists no value
 * is known, and {@code zfsguard_boot_confirmed_timestamp_seconds} is left out
 * rather than reported as zero.
 */
public final class BootConfirmation {
    /** The journal event of a confirmed boot. */
    public static final String EVENT = "boot-confirmed";

    private BootConfirmation() {
    }

    public static Optional<Instant> last(List<JsonObject> journal) {
        return JournalEvents.lastTime(journal, EVENT);
    }
}
