package org.zfsguard.backup;

import java.nio.file.Path;
import java.time.Instant;

/** A valid (complete, trailer-verified) backup in the store. */
public record BackupSet(String id, Manifest manifest, Path dir) {
    public String kernel() {
        return manifest.kernel();
    }

    public Instant created() {
        return manifest.created();
    }

    public int files() {
        return manifest.fileCount();
    }

    public long bytes() {
        return manifest.totalFileBytes();
    }

    public RetentionPolicy.SetRef ref() {
        return new RetentionPolicy.SetRef(id, kernel(), created(), manifest.contentDigest());
    }
}
