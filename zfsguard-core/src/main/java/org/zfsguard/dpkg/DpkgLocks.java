package org.zfsguard.dpkg;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

import org.zfsguard.system.SystemRoot;

/**
 * Whether apt or dpkg is at work, told by the locks they hold: apt and dpkg take the
 * frontend lock for a whole operation, dpkg the inner lock while it unpacks and
 * configures. Both are POSIX record locks (fcntl), the kind {@link FileChannel#tryLock}
 * takes too, so probing needs no process list and no dpkg.
 *
 * <p>A probe takes the lock for an instant and releases it at once. The files are
 * never created: a system where dpkg never ran has nobody to wait for.
 */
public final class DpkgLocks {
    /** Frontend lock first: apt holds it for the whole operation, also between two dpkg runs. */
    public static final List<String> PATHS = List.of("/var/lib/dpkg/lock-frontend", "/var/lib/dpkg/lock");

    private final SystemRoot root;

    public DpkgLocks(SystemRoot root) {
        this.root = root;
    }

    /**
     * The first lock (as the target names it) that another process holds, or empty when
     * apt and dpkg are idle. Throws when a lock file exists but cannot be probed (not root).
     */
    public Optional<String> heldByOthers() throws IOException {
        for (String lock : PATHS) {
            if (isHeld(root.resolveAll(lock))) {
                return Optional.of(lock);
            }
        }
        return Optional.empty();
    }

    /**
     * True when another process holds a lock on {@code file}. Opened read-write, an
     * exclusive probe conflicts with any lock; when only reading is allowed, a shared
     * probe still conflicts with the write locks apt and dpkg take.
     */
    static boolean isHeld(Path file) throws IOException {
        FileChannel ch;
        boolean exclusive = true;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return false;
        } catch (AccessDeniedException e) {
            ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            exclusive = false;
        }
        try (FileChannel c = ch) {
            FileLock l = c.tryLock(0, Long.MAX_VALUE, !exclusive);
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            // This JVM holds it through another channel: someone is at work all the same.
            return true;
        }
    }
}
