package org.zfsguard.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.state.EventJournal;
import org.zfsguard.state.StateDir;
import org.zfsguard.system.SystemRoot;

abstract class StoreTestBase {
    static final String K = BootSetFixture.K;
    static final String K2 = "6.12.58-current-rockchip64";
    static final long PLENTY = 1L << 40;

    @TempDir
    Path dir;

    Path rootDir;
    SystemRoot root;
    StateDir state;
    EventJournal journal;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T04:00:00Z"));
    long freeBytes = PLENTY;
    final List<String> depmodCalls = new ArrayList<>();

    /** Records the call instead of running depmod. */
    final Depmod fakeDepmod = (r, k) -> depmodCalls.add(r.path() + " " + k);

    @BeforeEach
    void setUpRoot() throws IOException {
        rootDir = Files.createDirectories(dir.resolve("root"));
        root = SystemRoot.at(rootDir);
        state = StateDir.of(root);
        journal = new EventJournal(state.journalFile(), EventJournal.DEFAULT_MAX_BYTES, clock);
    }

    BackupStore store() {
        return store(p -> { });
    }

    BackupStore store(BackupStore.Checkpoint checkpoint) {
        return new BackupStore(root, state.backupsDir(), d -> freeBytes, clock, journal, checkpoint);
    }

    Restorer restorer(PackageOwnership owners) {
        return new Restorer(root, store(), owners, fakeDepmod);
    }

    static PackageOwnership nobody() {
        return paths -> Map.of();
    }

    BackupSet backup(String kernel) throws IOException {
        clock.advance(Duration.ofMinutes(1));
        BackupOutcome o = store().backup(kernel, 0);
        if (!(o instanceof BackupOutcome.Created c)) {
            throw new AssertionError("backup of " + kernel + " was not made: " + o);
        }
        return c.set();
    }

    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
