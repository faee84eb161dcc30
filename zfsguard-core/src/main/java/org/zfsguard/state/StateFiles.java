package org.zfsguard.state;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

import org.zfsguard.system.SystemRoot;

/**
 * What zfsguard accepts as its own state: real directories and regular files
 * under {@code /var/lib/zfsguard}, never reached through a symlink. A symlink
 * placed there would make root write, chmod or delete wherever it points
 * (outside {@code --root} too), and a FIFO would make a hook hang; both are
 * refused with a message that names the path.
 */
public final class StateFiles {
    private StateFiles() {
    }

    /** Refuses {@code p} unless it is a regular file or absent. */
    public static void requireRegularOrAbsent(Path p) throws IOException {
        BasicFileAttributes a = attributes(p);
        if (a != null && !a.isRegularFile()) {
            throw refusal(p, a, "a regular file");
        }
    }

    /**
     * The real directory {@code p}, created with {@code mode} (such as
     * {@code rwx------}) when missing; its parent must already be checked.
     * Refuses a symlink, FIFO, device or file there.
     */
    public static Path requireDirectory(Path p, String mode) throws IOException {
        BasicFileAttributes a = attributes(p);
        if (a == null) {
            try {
                Files.createDirectory(p);
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
                AtomicFiles.fsyncDirectory(p.getParent());
                return p;
            } catch (FileAlreadyExistsException e) {
                a = attributes(p); // made meanwhile: check what it is
            }
        }
        if (a == null || !a.isDirectory()) {
            throw refusal(p, a, "a directory");
        }
        return p;
    }

    /** Refuses {@code p} unless it is a real directory or absent; true when it exists. */
    public static boolean requireDirectoryOrAbsent(Path p) throws IOException {
        BasicFileAttributes a = attributes(p);
        if (a != null && !a.isDirectory()) {
            throw refusal(p, a, "a directory");
        }
        return a != null;
    }

    private static BasicFileAttributes attributes(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static IOException refusal(Path p, BasicFileAttributes a, String expected) {
        String kind = a == null ? "missing" : a.isSymbolicLink() ? "a symlink" : a.isDirectory() ? "a directory"
                : a.isRegularFile() ? "a regular file" : "a FIFO, socket or device";
        return new UnsafeStateException(SystemRoot.printable(p.toString()) + " is " + kind + ", not " + expected
                + "; zfsguard keeps its state only in real files and directories (move it aside, then run the command again)");
    }

    /** A state path that is not what zfsguard made it: zfsguard refuses to use it. */
    public static final class UnsafeStateException extends IOException {
        private static final long serialVersionUID = 1L;

        UnsafeStateException(String message) {
            super(message);
        }
    }
}
