package org.zfsguard.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How much room is left for backups; faked in tests to play a full disk. */
@FunctionalInterface
public interface SpaceProbe {
    long usableBytes(Path dir) throws IOException;

    /** The allocation unit of the file system of {@code dir}: every file takes whole ones. */
    default long blockSize(Path dir) {
        try {
            long b = Files.getFileStore(dir).getBlockSize();
            return b > 0 && b <= 1 << 20 ? b : 4096;
        } catch (IOException | UnsupportedOperationException e) {
            return 4096;
        }
    }

    static SpaceProbe fileStore() {
        return dir -> {
            try {
                return Files.getFileStore(dir).getUsableSpace();
            } catch (IOException e) {
                // In a chroot (an image build) /proc/mounts names mount points outside the root, so the
                // JDK cannot find the directory's mount entry ("Mount point not found"); statvfs still works.
                if (!Files.isDirectory(dir)) {
                    throw e;
                }
                return dir.toFile().getUsableSpace();
            }
        };
    }
}
