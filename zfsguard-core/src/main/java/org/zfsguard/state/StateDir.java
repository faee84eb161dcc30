package org.zfsguard.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import org.zfsguard.system.SystemRoot;

/**
 * {@code /var/lib/zfsguard} of a system: persistent state that must survive a
 * crash (not {@code /var/log} or {@code /tmp}, which are RAM disks on Armbian).
 */
public final class StateDir {
    public static final String PATH = "/var/lib/zfsguard";

    private final Path dir;

    private StateDir(Path dir) {
        this.dir = dir;
    }

    /**
     * The state directory of {@code root}. {@code /var} or {@code /var/lib} may be
     * symlinks on the target; they are followed as the target would, never out of the root.
     */
    public static StateDir of(SystemRoot root) throws IOException {
        return new StateDir(root.resolveParents(PATH));
    }

    /** A state directory at a host path (tests, tools). */
    public static StateDir at(Path dir) {
        return new StateDir(dir.toAbsolutePath().normalize());
    }

    public Path path() {
        return dir;
    }

    public boolean exists() {
        return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Creates the directory (mode 0755) and its missing parents; returns it.
     * Refuses a symlink, FIFO, device or file in its place.
     */
    public Path ensure() throws IOException {
        if (!StateFiles.requireDirectoryOrAbsent(dir)) {
            Files.createDirectories(dir.getParent());
            StateFiles.requireDirectory(dir, "rwxr-xr-x");
        }
        return dir;
    }

    /** The lock of every zfsguard mutation except the backup store's. */
    public Path lockFile() {
        return dir.resolve("lock");
    }

    /**
     * The backup store's own lock: backups, retention and garbage collection
     * take it, so that a rebuild holding {@link #lockFile} for an hour never
     * keeps a kernel upgrade from backing up the boot set it replaces.
     */
    public Path storeLockFile() {
        return dir.resolve("backups.lock");
    }

    public Path journalFile() {
        return dir.resolve("events.jsonl");
    }

    public Path backupsDir() {
        return dir.resolve("backups");
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
