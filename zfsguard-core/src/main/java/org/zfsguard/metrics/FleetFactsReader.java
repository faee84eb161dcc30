package org.zfsguard.metrics;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.google.gson.JsonObject;
import org.zfsguard.backup.BackupSet;
import org.zfsguard.backup.BackupStore;
import org.zfsguard.config.Config;
import org.zfsguard.pin.Hold;
import org.zfsguard.pin.PinFile;
import org.zfsguard.pin.PinPlan;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.state.EventJournal;
import org.zfsguard.state.StateDir;
import org.zfsguard.system.SystemRoot;

/**
 * Gathers {@link FleetFacts} from a system root: the state directory's backups
 * and event journal, and the compatibility pin on disk. Reads only; whatever
 * cannot be read is left out, never guessed.
 */
public final class FleetFactsReader {
    private FleetFactsReader() {
    }

    public static FleetFacts read(SystemRoot root, Config config, ReadinessReport report) {
        List<FleetFacts.HeldKernel> held = held(root, config);
        Optional<Instant> lastBackup = Optional.empty();
        int damaged = 0;
        List<JsonObject> journal = List.of();
        try {
            StateDir state = StateDir.of(root);
            if (state.exists()) {
                BackupStore store = BackupStore.open(root, state);
                lastBackup = store.list().stream().map(BackupSet::created).max(Instant::compareTo);
                damaged = store.damaged().size();
                journal = EventJournal.of(state).read();
            }
        } catch (IOException | RuntimeException e) {
            // an unreadable state directory shows as no backups; the verdict metrics still go out
        }
        Optional<FleetFacts.RebuildResult> rebuild = JournalEvents
                .last(journal, Set.of("rebuild-finished", "rebuild-aborted"))
                .map(e -> new FleetFacts.RebuildResult(JournalEvents.text(e, "event").substring("rebuild-".length()),
                        String.valueOf(JournalEvents.text(e, "kernel")), JournalEvents.time(e).orElseThrow()));
        return new FleetFacts(report, held, lastBackup, damaged, rebuild,
                JournalEvents.lastTime(journal, "verdict"), BootConfirmation.last(journal));
    }

    /** The holds the pin computes that the file on disk carries, so that only what apt obeys is reported. */
    private static List<FleetFacts.HeldKernel> held(SystemRoot root, Config config) {
        List<FleetFacts.HeldKernel> out = new ArrayList<>();
        if (config.pin() != Config.PinMode.AUTO) {
            return out;
        }
        try {
            String written = PinFile.current(root).orElse("");
            if (written.isEmpty()) {
                return out;
            }
            Optional<PinPlan> plan = PinFile.compute(root, new ArrayList<>());
            for (Hold h : plan.map(PinPlan::holds).orElse(List.of())) {
                if (written.contains("Package: " + h.packageName() + "\nPin: version " + h.version() + "\n")) {
                    out.add(new FleetFacts.HeldKernel(h.packageName(), h.kernel().text(), h.reason()));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the pin adds to the verdict; without it the verdict is still reported
        }
        return out;
    }
}
