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
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.zfsguard.state.AtomicFiles;
import org.zfsguard.state.StateFiles;

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
    private static final ThreadLocal<byte[]> BUFFERS = ThreadLocal.withInitial(() -> new byte[IN_MEMORY + 1]);

    private final Set<Path> unsyncedDirs = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** New blobs written under temporary names, not yet flushed or renamed: sha256 -> temporary file. */
    private final Map<String, Path> pending = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong bytesWritten = new java.util.concurrent.atomic.AtomicLong();
    /** Blobs this instance named and fan-out directories it made, so that a failed backup can take them back. */
    private final Set<String> named = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Set<Path> madeDirs = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final FileSystemFlush flush;

    /**
     * The blob names known to be in the store, when the caller has just listed
     * it (under the lock, so nobody else adds any): a content not among them
     * needs no lookup on the disk, which for thousands of new files is a
     * noticeable part of a first backup. Null: look every blob up.
     */
    private final Set<String> listed;

    BlobStore(Path objects) {
        this(objects, null);
    }

    BlobStore(Path objects, Set<String> listed) {
        this.objects = objects;
        this.flush = new FileSystemFlush(objects);
        this.listed = listed == null ? null : java.util.concurrent.ConcurrentHashMap.newKeySet();
        if (listed != null) {
            this.listed.addAll(listed);
        }
    }

    Path objectsDir() {
        return objects;
    }

    Path pathOf(String sha256) {
        return objects.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    long bytesWritten() {
        return bytesWritten.get();
    }

    /** Present as a regular file of the right size: trusted for deduplication, re-hashed by verify. */
    boolean has(String sha256, long size) {
        if (pending.containsKey(sha256)) {
            return true;
        }
        if (listed != null && !listed.contains(sha256)) {
            return false;
        }
        try {
            BasicFileAttributes a = Files.readAttributes(pathOf(sha256), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() && a.size() == size;
        } catch (IOException e) {
            return false;
        }
    }

    record Stored(String sha256, long size, boolean written) {
    }

    /**
     * Stores the content of the regular file {@code source}, unless the store
     * already holds it. Safe to call from several threads at once.
     */
    Stored put(Path source, long expectedSize) throws IOException {
        if (expectedSize <= IN_MEMORY) {
            byte[] buf = BUFFERS.get();
            int n;
            try (InputStream in = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS)) {
                n = in.readNBytes(buf, 0, buf.length);
            }
            if (n <= IN_MEMORY) {
                String sha = Hashing.sha256Hex(buf, 0, n);
                if (has(sha, n)) {
                    return new Stored(sha, n, false);
                }
                place(sha, out -> out.write(buf, 0, n), n);
                return new Stored(sha, n, true);
            }
            // grew since it was listed: take the streaming path
        }
        FileStamp before = FileStamp.of(source);
        Hashing.Digest first;
        try (InputStream in = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS)) {
            first = Hashing.digest(in);
        }
        if (has(first.sha256(), first.size())) {
            return new Stored(first.sha256(), first.size(), false);
        }
        Path target = pathOf(first.sha256());
        ensureDir(target.getParent());
        long[] copied = {0};
        Path temp = AtomicFiles.writeTemp(target, out -> {
            try (InputStream in = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS)) {
                copied[0] = in.transferTo(out);
            }
        }, false);
        bytesWritten.addAndGet(copied[0]);
        String actual = first.sha256();
        if (!before.equals(FileStamp.of(source)) || copied[0] != first.size()) {
            // Changed while we read it (its ctime moved): hash what was actually copied.
            try (InputStream in = Files.newInputStream(temp)) {
                actual = Hashing.digest(in).sha256();
            }
        }
        ensureDir(pathOf(actual).getParent());
        if (has(actual, copied[0]) || pending.putIfAbsent(actual, temp) != null) {
            Files.delete(temp);
        }
        return new Stored(actual, copied[0], true);
    }

    /**
     * What changes whenever a file's content is written: the kernel sets ctime on
     * every write and nobody can set it back, so an equal stamp before the hash
     * and after the copy means the copy is what was hashed.
     */
    private record FileStamp(Object ino, Object ctime, Object mtime, Object size) {
        static FileStamp of(Path p) throws IOException {
            java.util.Map<String, Object> a = Files.readAttributes(p, "unix:ino,ctime,lastModifiedTime,size", LinkOption.NOFOLLOW_LINKS);
            return new FileStamp(a.get("ino"), a.get("ctime"), a.get("lastModifiedTime"), a.get("size"));
        }
    }

    private void place(String sha, AtomicFiles.Content content, long size) throws IOException {
        Path target = pathOf(sha);
        ensureDir(target.getParent());
        Path temp = AtomicFiles.writeTemp(target, content, false);
        if (pending.putIfAbsent(sha, temp) != null) {
            Files.delete(temp); // another thread stored the same content meanwhile
            return;
        }
        bytesWritten.addAndGet(size);
    }

    private void ensureDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            synchronized (madeDirs) {
                if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                    madeDirs.add(dir);
                }
                // A symlink in its place is refused, never followed out of the store.
                StateFiles.requireDirectory(dir, "rwx------");
            }
            unsyncedDirs.add(dir.getParent());
        }
    }

    /**
     * Deletes the temporary files, blobs and fan-out directories this instance
     * wrote (the backup they were for failed, and the caller holds the store
     * lock, so nothing else refers to them).
     */
    void removeWritten() throws IOException {
        for (Path temp : pending.values()) {
            Files.deleteIfExists(temp);
        }
        pending.clear();
        for (String sha : named) {
            Files.deleteIfExists(pathOf(sha));
        }
        named.clear();
        for (Path d : madeDirs) {
            try (var s = Files.newDirectoryStream(d)) {
                if (!s.iterator().hasNext()) {
                    Files.deleteIfExists(d);
                }
            } catch (NoSuchFileException e) {
                // gone already
            }
        }
        madeDirs.clear();
    }

    /**
     * Makes the content of every new blob durable, then gives each its sha256
     * name. A name thus never appears before its content is on the disk. The
     * renames themselves become durable with the caller's next barrier
     * ({@link #syncNames} or a whole-file-system flush); until then a crash
     * leaves only temporary files and unreferenced blobs, which
     * {@link BackupStore#collectGarbage} removes. A batch is flushed with one
     * syncfs where that works (one journal commit instead of one per file).
     */
    void flushAndName() throws IOException {
        if (!(pending.size() > 1 && flush.syncFileSystem())) {
            for (Path temp : pending.values()) {
                AtomicFiles.fsyncFile(temp);
            }
        }
        for (Map.Entry<String, Path> e : pending.entrySet()) {
            Path target = pathOf(e.getKey());
            AtomicFiles.moveAtomically(e.getValue(), target);
            named.add(e.getKey());
            unsyncedDirs.add(target.getParent());
            if (listed != null) {
                listed.add(e.getKey());
            }
        }
        pending.clear();
    }

    /** True when several directories changed: one file-system flush is cheaper than an fsync for each. */
    boolean manyUnsyncedDirs() {
        return unsyncedDirs.size() > 1;
    }

    /** The barrier when the whole file system was flushed after {@link #flushAndName}. */
    void namesSynced() {
        unsyncedDirs.clear();
    }

    /** Makes the names given by {@link #flushAndName} durable, directory by directory. */
    void syncNames() throws IOException {
        for (Path dir : unsyncedDirs) {
            AtomicFiles.fsyncDirectory(dir);
        }
        unsyncedDirs.clear();
    }

    FileSystemFlush flush() {
        return flush;
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
