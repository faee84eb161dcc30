package org.zfsguard.backup;

import java.util.List;

/** What {@link Restorer#restore} did or would do. */
public sealed interface RestoreOutcome {
    BackupSet set();

    /** The files are back; {@code notes} tell about depmod and activation, {@code warnings} what went wrong after the files. */
    record Restored(BackupSet set, int written, int unchanged, List<String> notes, List<String> warnings) implements RestoreOutcome {
    }

    /** {@code --dry-run}: the steps a restore would take. */
    record Planned(BackupSet set, List<String> steps) implements RestoreOutcome {
    }

    /** Nothing was changed; {@code details} name the files concerned. */
    record Refused(BackupSet set, String reason, List<String> details) implements RestoreOutcome {
    }
}
