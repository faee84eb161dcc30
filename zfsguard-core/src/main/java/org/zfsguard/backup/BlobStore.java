package org.zfsguard.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

import org.zfsguard.state.AtomicFiles;

/**
 * Content-addressed file contents: {@code objects/<aa>/<sha256>}. A blob is
 * valid only if its name is the sha256 of its content; it is written to a
 * temporary name, flushed, and renamed, so a name never appears before its
 * content is on the disk. Equal contents are stored once.
 */
final class BlobStore {
    static final Pattern NAME = Pattern.compile("[0-9a-f]{64}");
    /** Files up to this size are read once into memory: hashed and, when new, written from there. */
    private static final int IN_MEMORY = 2 * 1024 * 1024;

    private final Path objects;
    private final Set<Path> unsyncedDirs = new LinkedHashSet<>();
    private long bytesWritten;
    private byte[] buffer;

    BlobStore(Path objects) {
        this.objects = objects;
    }

    Path objectsDir() {
        return objects;
    }

    Path pathOf(String sha256) {
        return objects.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    long bytesWritten() {
        return bytesWritten;
    }

    /** Present as a regular file of the right size: trusted for deduplication, re-hashed by verify. */
    boolean has(String sha256, long size) {
        try {
            BasicFileAttributes a = Files.readAttributes(pathOf(sha256), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() && a.size() == size;
        } catch (IOException e) {
            return false;
        }
    }

    record Stored(String sha256, long size, boolean written) {
    }

    /** Stores the content of the regular file {@code source}, unless the store already holds it. */
    Stored put(Path source, long expectedSize) throws IOException {
        if (expectedSize <= IN_MEMORY) {
            byte[] data = readSmall(source);
            if (data != null) {
                String sha = Hashing.sha256Hex(data);
                if (has(sha, data.length)) {
                    return new Stored(sha, data.length, false);
                }
                place(sha, out -> out.write(data), data.length);
                return new Stored(sha, data.length, true);
            }
        }
        Hashing.Digest first;
        try (InputStream in = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS)) {
            first = Hashing.digest(in);
        }
        if (has(first.sha256(), first.size())) {
            return new Stored(first.sha256(), first.size(), false);
        }
        // Copy while hashing again: the file may have changed since the first read.
        MessageDigest d = Hashing.sha256();
        long[] copied = {0};
        Path target = pathOf(first.sha256());
        ensureDir(target.getParent());
        Path temp = AtomicFiles.writeTemp(target, out -> {
            byte[] buf = new byte[Hashing.BUFFER];
            try (InputStream in = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS)) {
                for (int r; (r = in.read(buf)) > 0;) {
                    d.update(buf, 0, r);
                    out.write(buf, 0, r);
                    copied[0] += r;
                }
            }
        });
        bytesWritten += copied[0];
        String actual = HexFormat.of().formatHex(d.digest());
        Path finalPath = pathOf(actual);
        ensureDir(finalPath.getParent());
        if (has(actual, copied[0])) {
            Files.delete(temp);
        } else {
            AtomicFiles.moveAtomically(temp, finalPath);
            unsyncedDirs.add(finalPath.getParent());
        }
        return new Stored(actual, copied[0], true);
    }

    private byte[] readSmall(Path source) throws IOException {
        try (InputStream in = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS)) {
            if (buffer == null) {
                buffer = new byte[IN_MEMORY + 1];
            }
            int n = in.readNBytes(buffer, 0, buffer.length);
            if (n > IN_MEMORY) {
                return null; // grew since it was listed; take the streaming path
            }
            return java.util.Arrays.copyOf(buffer, n);
        }
    }

    private void place(String sha, AtomicFiles.Content content, long size) throws IOException {
        Path target = pathOf(sha);
        ensureDir(target.getParent());
        Path temp = AtomicFiles.writeTemp(target, content);
        bytesWritten += size;
        AtomicFiles.moveAtomically(temp, target);
        unsyncedDirs.add(target.getParent());
    }

    private void ensureDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir);
            unsyncedDirs.add(dir.getParent());
        }
    }

    /**
     * Makes the renames of new blobs durable. Deferred to one pass before a set
     * is published: until then no valid set refers to them, and their content
     * was flushed before each rename, so a crash loses only unreferenced names.
     */
    void sync() throws IOException {
        for (Path dir : unsyncedDirs) {
            AtomicFiles.fsyncDirectory(dir);
        }
        unsyncedDirs.clear();
    }

    /** Re-hashes one blob; null when it matches, else what is wrong. */
    String check(String sha256, long size) {
        Path p = pathOf(sha256);
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                return "is not a regular file";
            }
            if (a.size() != size) {
                return "has " + a.size() + " bytes, the manifest says " + size;
            }
            try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                if (!Hashing.digest(in).sha256().equals(sha256)) {
                    return "is damaged (sha256 differs)";
                }
            }
            return null;
        } catch (NoSuchFileException e) {
            return "is missing";
        } catch (IOException e) {
            return "cannot be read: " + e.getMessage();
        }
    }

    /** Copies a blob to {@code out}, failing if its content does not hash to its name. */
    long copyVerified(String sha256, OutputStream out) throws IOException {
        MessageDigest d = Hashing.sha256();
        long n = 0;
        byte[] buf = new byte[Hashing.BUFFER];
        try (InputStream in = Files.newInputStream(pathOf(sha256), LinkOption.NOFOLLOW_LINKS)) {
            for (int r; (r = in.read(buf)) > 0;) {
                d.update(buf, 0, r);
                out.write(buf, 0, r);
                n += r;
            }
        }
        if (!HexFormat.of().formatHex(d.digest()).equals(sha256)) {
            throw new IOException("blob " + sha256 + " changed while it was being restored");
        }
        return n;
    }
}
