package org.zfsguard.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How much room is left for backups; faked in tests to play a full disk. */
@FunctionalInterface
public interface SpaceProbe {
    long usableBytes(Path dir) throws IOException;

    static SpaceProbe fileStore() {
        return dir -> Files.getFileStore(dir).getUsableSpace();
    }
}
