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

    /** Why a restore was refused, which decides what the operator does next. */
    enum Why {
        /** A blob does not match its checksum: restore another backup. */
        VERIFY_FAILED,
        /** Something else is where the backup has files: move it aside. */
        CONFLICTS,
        /** Files that differ belong to an installed package: {@code --force}. */
        OWNED_BY_PACKAGES,
        /** A place to write is on a read-only file system: remount it. */
        READ_ONLY
    }

    /** Nothing was changed; {@code details} name the files concerned. */
    record Refused(BackupSet set, Why why, String reason, List<String> details) implements RestoreOutcome {
    }
}
