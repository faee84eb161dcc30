package org.zfsguard.backup;

import java.util.List;

/** The outcome of re-hashing every blob of a backup against its manifest. */
public record VerifyReport(BackupSet set, List<String> problems, int filesChecked, long bytesChecked) {
    public VerifyReport {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }
}
