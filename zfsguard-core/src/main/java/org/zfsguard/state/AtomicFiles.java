package org.zfsguard.state;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Replaces files so that a crash or power cut at any moment leaves either the
 * old content or the new one, never a mixture: the new content goes to a
 * temporary file in the same directory, is flushed to the disk, renamed over
 * the target, and the directory itself is flushed so that the rename survives.
 *
 * <p>Temporary files carry {@link #TEMP_MARK} and their writer's
 * {@link ProcessIdentity} in their name; a crash leaves them behind, and they
 * are ignored by readers and removed by {@link #removeStaleTemps} once their
 * writer is gone (never while it may still be writing).
 */
public final class AtomicFiles {
    /** Part of every temporary file name; such files are never valid content. */
    public static final String TEMP_MARK = ".zfsguard-tmp-";

    private static final SecureRandom RANDOM = new SecureRandom();

    /** Writes the content of a file being created. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Replaces {@code target} with {@code bytes}. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** Replaces {@code target} with what {@code content} writes. */
    public static void write(Path target, Content content) throws IOException {
        Path temp = writeTemp(target, content);
        commit(temp, target);
    }

    /**
     * Writes {@code content} to a new temporary file next to {@code target} and
     * flushes it to the disk; nothing is visible under the target name yet.
     * The caller either {@link #commit commits} or deletes the returned file.
     */
    public static Path writeTemp(Path target, Content content) throws IOException {
        return writeTemp(target, content, true);
    }

    /**
     * Like {@link #writeTemp(Path, Content)}; with {@code flush} false the caller
     * flushes the file itself ({@link #fsyncFile}) before committing it, which lets
     * a batch of files reach the disk in one journal commit instead of one each.
     */
    public static Path writeTemp(Path target, Content content, boolean flush) throws IOException {
        Path temp = tempNameFor(target);
        boolean done = false;
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream out = Channels.newOutputStream(ch);
            content.writeTo(out);
            out.flush();
            if (flush) {
                ch.force(true);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
        return temp;
    }

    /** Renames a flushed temporary file over {@code target} and flushes the directory. */
    public static void commit(Path temp, Path target) throws IOException {
        moveAtomically(temp, target);
        fsyncDirectory(target.toAbsolutePath().getParent());
    }

    /** One rename, which the file system performs completely or not at all. */
    public static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + from + " to " + to + " in one step: " + e.getMessage(), e);
        }
    }

    /** Flushes the content and attributes of a written file to the disk. */
    public static void fsyncFile(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** Makes the entries of {@code dir} (creations, renames, deletions) durable. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** A fresh temporary name in the directory of {@code target}: {@code .NAME.zfsguard-tmp-PID-START-RANDOM}. */
    public static Path tempNameFor(Path target) {
        byte[] r = new byte[6];
        RANDOM.nextBytes(r);
        String name = target.getFileName().toString();
        if (name.length() > 160) {
            name = name.substring(0, 160);
        }
        return target.resolveSibling("." + name + TEMP_MARK + ProcessIdentity.current().text() + "-"
                + HexFormat.of().formatHex(r));
    }

    /** True for a name made by {@link #tempNameFor}. */
    public static boolean isTemp(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(".") && name.contains(TEMP_MARK);
    }

    /**
     * True for a temporary file whose writer is gone: its name names a process
     * that no longer runs, or no process at all (written before names carried one).
     */
    public static boolean isStaleTemp(Path file) {
        if (!isTemp(file)) {
            return false;
        }
        String name = file.getFileName().toString();
        String tail = name.substring(name.lastIndexOf(TEMP_MARK) + TEMP_MARK.length());
        int lastDash = tail.lastIndexOf('-');
        if (lastDash < 0) {
            return true;
        }
        return ProcessIdentity.parse(tail.substring(0, lastDash)).map(owner -> !owner.alive()).orElse(true);
    }

    /**
     * Deletes the temporary files that crashed writers left in {@code dir} (not
     * recursively); a temporary file whose writer still runs is left alone.
     */
    public static int removeStaleTemps(Path dir) throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, p -> isStaleTemp(p))) {
            for (Path p : entries) {
                if (Files.deleteIfExists(p)) {
                    removed++;
                }
            }
        } catch (NoSuchFileException e) {
            return 0;
        }
        if (removed > 0) {
            fsyncDirectory(dir);
        }
        return removed;
    }

    /**
     * Points the symlink {@code link} at {@code target}, replacing whatever was
     * there in one rename, so that the link never goes missing in between.
     */
    public static void replaceSymlink(Path link, String target) throws IOException {
        Path temp = tempNameFor(link);
        Files.createSymbolicLink(temp, Path.of(target));
        try {
            commit(temp, link);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }
}
