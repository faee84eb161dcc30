package org.zfsguard.backup;

/** What {@link BackupStore#backup} did; refusals are results, not exceptions, so hooks can report them and go on. */
public sealed interface BackupOutcome {
    String kernel();

    /**
     * A new valid backup; {@code bytesWritten} counts every byte this run wrote
     * into the store; {@code skipped} names what was left out (devices, FIFOs,
     * sockets, unsafe names, files deleted while being read).
     */
    record Created(BackupSet set, long bytesWritten, java.util.List<String> skipped) implements BackupOutcome {
        @Override
        public String kernel() {
            return set.kernel();
        }
    }

    /** No file of the boot set exists on the system. */
    record NothingToBackUp(String kernel) implements BackupOutcome {
    }

    /** The backup was not made; {@code reason} says why in one line. */
    record Refused(String kernel, String reason) implements BackupOutcome {
    }
}
