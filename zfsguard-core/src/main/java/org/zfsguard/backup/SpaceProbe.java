package org.zfsguard.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How much room is left for backups; faked in tests to play a full disk. */
@FunctionalInterface
public interface SpaceProbe {
    long usableBytes(Path dir) throws IOException;

    static SpaceProbe fileStore() {
        return dir -> {
            try {
                return Files.getFileStore(dir).getUsableSpace();
            } catch (IOException e) {
                // Inside a chroot the JDK finds no mount entry for the path; statvfs needs none.
                long usable = dir.toFile().getUsableSpace();
                if (usable <= 0) {
                    throw e;
                }
                return usable;
            }
        };
    }
}
