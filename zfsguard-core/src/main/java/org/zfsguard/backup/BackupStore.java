package org.zfsguard.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.zfsguard.state.AtomicFiles;
import org.zfsguard.state.EventJournal;
import org.zfsguard.state.StateDir;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.kernel.KernelRelease;

/**
 * The boot-set backups under {@code /var/lib/zfsguard/backups/}:
 * {@code objects/} holds file contents by sha256 (see {@link BlobStore}),
 * {@code sets/<id>/manifest} lists one backup (see {@link Manifest}).
 *
 * <p>A backup is assembled in {@code sets/.tmp-<id>/} and becomes visible by one
 * rename to {@code sets/<id>/} after every blob and the manifest are on the
 * disk. Listing ignores dot-names and any set whose manifest is not complete
 * and intact, so a crash at any point never shows a backup that is not whole,
 * and never touches an earlier one. Leftovers are collected on the next run.
 *
 * <p>Callers hold the {@link org.zfsguard.state.ZfsguardLock} around every
 * method that changes the store.
 */
public final class BackupStore {
    private static final long MAX_MANIFEST_BYTES = 64L * 1024 * 1024;
    private static final String TMP_PREFIX = ".tmp-";
    private static final String DEL_PREFIX = ".del-";
    private static final long MIB = 1024 * 1024;
    private static final int MAX_THREADS = 4;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BackupStore.class);

    /** Places in a backup where tests simulate the process being killed. */
    public enum Point { BLOB_WRITTEN, MANIFEST_WRITTEN, BEFORE_PUBLISH }

    /** Called at each {@link Point}; the production hook does nothing. */
    @FunctionalInterface
    public interface Checkpoint {
        void reached(Point point) throws IOException;
    }

    private final SystemRoot root;
    private final Path dir;
    private final SpaceProbe space;
    private final Clock clock;
    private final EventJournal journal;
    private final Checkpoint checkpoint;
    /**
     * Sets this store has parsed or written, by id. A published set never
     * changes (it is only ever deleted whole), so retention right after a
     * backup need not parse the manifest it has just written.
     */
    private final Map<String, BackupSet> known = new java.util.HashMap<>();

    public BackupStore(SystemRoot root, Path dir, SpaceProbe space, Clock clock, EventJournal journal, Checkpoint checkpoint) {
        this.root = root;
        this.dir = dir;
        this.space = space;
        this.clock = clock;
        this.journal = journal;
        this.checkpoint = checkpoint;
    }

    /** The store of {@code root}'s state directory, journaling to its event journal. */
    public static BackupStore open(SystemRoot root, StateDir state) {
        return new BackupStore(root, state.backupsDir(), SpaceProbe.fileStore(), Clock.systemUTC(),
                EventJournal.of(state), p -> { });
    }

    public Path dir() {
        return dir;
    }

    Path setsDir() {
        return dir.resolve("sets");
    }

    BlobStore blobs() {
        return new BlobStore(dir.resolve("objects"));
    }

    // ---------------------------------------------------------------- backup

    /**
     * Backs up the boot set of {@code kernel}, keeping {@code reserveBytes} free.
     * Refuses (as a result, not an exception) when the disk is too full.
     */
    public BackupOutcome backup(String kernel, long reserveBytes) throws IOException {
        KernelRelease.require(kernel);
        Set<String> present = new HashSet<>();
        collect(present);
        List<String> skipped = new ArrayList<>();
        long t0 = System.nanoTime();
        List<SourceScan.Found> found = SourceScan.scan(root, kernel, skipped);
        long t1 = System.nanoTime();
        if (found.isEmpty()) {
            return new BackupOutcome.NothingToBackUp(kernel);
        }
        createPrivate(dir);
        Files.createDirectories(setsDir());
        BlobStore blobs = new BlobStore(dir.resolve("objects"), present);
        Files.createDirectories(blobs.objectsDir());

        String refusal = checkSpace(found, blobs, reserveBytes);
        if (refusal != null) {
            journal("backup-refused", Map.of("kernel", kernel, "reason", refusal));
            return new BackupOutcome.Refused(kernel, refusal);
        }

        Instant now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS);
        String id = BackupId.create(kernel, now);
        Path tmp = setsDir().resolve(TMP_PREFIX + id);
        Files.createDirectory(tmp);
        List<ManifestEntry> entries = storeContents(found, blobs, skipped);
        long t2 = System.nanoTime();
        blobs.flushAndName();
        long t3 = System.nanoTime();
        Manifest manifest = new Manifest(kernel, now, dropOrphans(entries, kernel));
        byte[] bytes = manifest.toBytes();
        // The set directory is invisible until published: the manifest needs no temporary name.
        Path manifestFile = tmp.resolve("manifest");
        Files.write(manifestFile, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        checkpoint.reached(Point.MANIFEST_WRITTEN);
        // One barrier for the blob names, the manifest and the set directory.
        if (blobs.manyUnsyncedDirs() && sameFileSystem(blobs.objectsDir(), tmp) && blobs.flush().syncFileSystem()) {
            blobs.namesSynced();
        } else {
            blobs.syncNames();
            AtomicFiles.fsyncFile(manifestFile);
            AtomicFiles.fsyncDirectory(tmp);
        }
        checkpoint.reached(Point.BEFORE_PUBLISH);
        Path published = setsDir().resolve(id);
        AtomicFiles.moveAtomically(tmp, published);
        AtomicFiles.fsyncDirectory(setsDir());
        LOG.debug("backup of {}: scan {} ms, contents {} ms, flush {} ms, manifest and publish {} ms", kernel,
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, (System.nanoTime() - t3) / 1_000_000);
        BackupSet set = new BackupSet(id, manifest, published);
        known.put(id, set);
        long written = blobs.bytesWritten() + bytes.length;
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("kernel", kernel);
        ev.put("id", id);
        ev.put("files", set.files());
        ev.put("bytes", set.bytes());
        ev.put("bytes_written", written);
        if (!skipped.isEmpty()) {
            ev.put("skipped", skipped.subList(0, Math.min(20, skipped.size())));
        }
        journal("backup", ev);
        return new BackupOutcome.Created(set, written, List.copyOf(skipped));
    }

    /**
     * Hashes and stores the file contents on a few threads (hashing is the
     * costly part and the files are independent); results are taken in
     * manifest order. Every worker has stopped when this returns or throws.
     */
    private List<ManifestEntry> storeContents(List<SourceScan.Found> found, BlobStore blobs, List<String> skipped)
            throws IOException {
        int threads = Math.max(1, Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "zfsguard-backup");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<BlobStore.Stored>> stored = new ArrayList<>(found.size());
            for (SourceScan.Found f : found) {
                stored.add(f.entry().type() == EntryType.FILE ? pool.submit(() -> blobs.put(f.host(), f.entry().size())) : null);
            }
            List<ManifestEntry> entries = new ArrayList<>(found.size());
            for (int i = 0; i < found.size(); i++) {
                ManifestEntry e = found.get(i).entry();
                if (e.type() == EntryType.FILE) {
                    BlobStore.Stored s;
                    try {
                        s = stored.get(i).get();
                    } catch (ExecutionException ex) {
                        if (ex.getCause() instanceof NoSuchFileException) {
                            skipped.add(e.path()); // deleted while we worked: not part of this backup
                            continue;
                        }
                        if (ex.getCause() instanceof IOException io) {
                            throw io;
                        }
                        throw new IllegalStateException(ex.getCause());
                    }
                    e = e.withContent(s.size(), s.sha256());
                    if (s.written()) {
                        checkpoint.reached(Point.BLOB_WRITTEN);
                    }
                }
                entries.add(e);
            }
            return entries;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while backing up", ex);
        } finally {
            pool.shutdownNow();
            try {
                if (!pool.awaitTermination(10, TimeUnit.MINUTES)) {
                    LOG.warn("backup workers did not stop");
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The store holds copies of root-only files (System.map is mode 0600 on
     * Debian), and blobs carry no modes of their own: the store is root's alone.
     */
    private static void createPrivate(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir);
        }
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }

    /** True when one syncfs covers both (nobody mounted something over part of the store). */
    private static boolean sameFileSystem(Path a, Path b) {
        try {
            return Files.getAttribute(a, "unix:dev", LinkOption.NOFOLLOW_LINKS)
                    .equals(Files.getAttribute(b, "unix:dev", LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Entries whose directory was skipped cannot be restored in order; they go too. */
    private static List<ManifestEntry> dropOrphans(List<ManifestEntry> entries, String kernel) {
        Set<String> dirs = new HashSet<>();
        List<ManifestEntry> kept = new ArrayList<>(entries.size());
        for (ManifestEntry e : entries) {
            String item = BootSetLayout.itemOf(kernel, e.path());
            boolean top = e.path().equals(item);
            if (!top && !dirs.contains(e.path().substring(0, e.path().lastIndexOf('/')))) {
                continue;
            }
            if (e.type() == EntryType.DIR) {
                dirs.add(e.path());
            }
            kept.add(e);
        }
        return kept;
    }

    private String checkSpace(List<SourceScan.Found> found, BlobStore blobs, long reserveBytes) throws IOException {
        long free = space.usableBytes(dir);
        long manifestEstimate = 256L * found.size() + 4096;
        long upperBound = manifestEstimate;
        for (SourceScan.Found f : found) {
            upperBound += f.entry().size();
        }
        if (free - upperBound >= reserveBytes) {
            return null;
        }
        // Tight: count only contents the store does not hold yet.
        long needed = manifestEstimate;
        Set<String> counted = new HashSet<>();
        for (SourceScan.Found f : found) {
            if (f.entry().type() != EntryType.FILE) {
                continue;
            }
            Hashing.Digest d;
            try (InputStream in = Files.newInputStream(f.host(), LinkOption.NOFOLLOW_LINKS)) {
                d = Hashing.digest(in);
            } catch (NoSuchFileException e) {
                continue;
            }
            if (!blobs.has(d.sha256(), d.size()) && counted.add(d.sha256())) {
                needed += d.size();
            }
        }
        if (free - needed >= reserveBytes) {
            return null;
        }
        return String.format("not enough space on %s: the backup needs %s, %s are free, and %s must stay free (reserve_mib)",
                dir, mib(needed), mib(free), mib(reserveBytes));
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (double) MIB);
    }

    // ---------------------------------------------------------------- listing

    /** Every valid backup, newest first. Temporary, incomplete and damaged sets are not listed. */
    public List<BackupSet> list() throws IOException {
        List<BackupSet> sets = new ArrayList<>();
        for (Path p : setDirs()) {
            String name = p.getFileName().toString();
            if (name.startsWith(".")) {
                continue;
            }
            load(p).ifPresent(sets::add);
        }
        sets.sort(Comparator.comparing(BackupSet::created).thenComparing(BackupSet::id).reversed());
        return sets;
    }

    /** The valid backup named {@code id}. */
    public Optional<BackupSet> find(String id) throws IOException {
        if (!BackupId.isValid(id)) {
            return Optional.empty();
        }
        return load(setsDir().resolve(id));
    }

    /** The newest valid backup of {@code kernel}. */
    public Optional<BackupSet> newest(String kernel) throws IOException {
        return list().stream().filter(s -> s.kernel().equals(kernel)).findFirst();
    }

    private Optional<BackupSet> load(Path setDir) {
        String id = setDir.getFileName().toString();
        String kernel = BackupId.kernelOf(id);
        if (kernel == null || !Files.isDirectory(setDir, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        BackupSet seen = known.get(id);
        if (seen != null && seen.dir().equals(setDir)) {
            return Optional.of(seen);
        }
        try {
            Manifest m = Manifest.parse(readManifest(setDir.resolve("manifest")));
            if (!m.kernel().equals(kernel)) {
                return Optional.empty();
            }
            BackupSet set = new BackupSet(id, m, setDir);
            known.put(id, set);
            return Optional.of(set);
        } catch (IOException | ManifestException e) {
            return Optional.empty();
        }
    }

    private static byte[] readManifest(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile() || a.size() > MAX_MANIFEST_BYTES) {
            throw new IOException("not a manifest: " + file);
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return in.readNBytes((int) MAX_MANIFEST_BYTES + 1);
        }
    }

    private List<Path> setDirs() throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(setsDir())) {
            s.forEach(out::add);
        } catch (NoSuchFileException e) {
            return out;
        }
        return out;
    }

    // ---------------------------------------------------------------- checks

    /** Cheap check without hashing: every blob is present with the right size. */
    public boolean blobsPresent(BackupSet set) {
        BlobStore blobs = blobs();
        for (ManifestEntry e : set.manifest().entries()) {
            if (e.type() == EntryType.FILE && !blobs.has(e.sha256(), e.size())) {
                return false;
            }
        }
        return true;
    }

    /** Re-hashes every blob of {@code set} against its manifest. */
    public VerifyReport verify(BackupSet set) {
        BlobStore blobs = blobs();
        List<String> problems = new ArrayList<>();
        Map<String, String> checked = new LinkedHashMap<>();
        int files = 0;
        long bytes = 0;
        for (ManifestEntry e : set.manifest().entries()) {
            if (e.type() != EntryType.FILE) {
                continue;
            }
            files++;
            String problem;
            if (checked.containsKey(e.sha256())) {
                problem = checked.get(e.sha256());
            } else {
                problem = blobs.check(e.sha256(), e.size());
                checked.put(e.sha256(), problem);
                bytes += e.size();
            }
            if (problem != null) {
                problems.add("the content of " + SystemRoot.printable(e.path()) + " (blob " + e.sha256().substring(0, 12)
                        + "...) " + problem);
            }
        }
        return new VerifyReport(set, problems, files, bytes);
    }

    // ---------------------------------------------------------------- deletion

    /** Deletes a backup: first made invisible by one rename, then removed. Blobs go with {@link #collectGarbage}. */
    public void delete(BackupSet set) throws IOException {
        known.remove(set.id());
        Path gone = setsDir().resolve(DEL_PREFIX + set.id());
        AtomicFiles.moveAtomically(set.dir(), gone);
        AtomicFiles.fsyncDirectory(setsDir());
        deleteTree(gone);
    }

    /**
     * Applies {@link RetentionPolicy} and removes the blobs no backup uses any
     * more; returns the backups deleted.
     */
    public List<BackupSet> applyRetention(int keepKernels, Set<String> protectedKernels) throws IOException {
        List<BackupSet> sets = list();
        List<RetentionPolicy.SetRef> refs = sets.stream().map(BackupSet::ref).toList();
        Set<String> doomed = new HashSet<>();
        for (RetentionPolicy.SetRef r : RetentionPolicy.toDelete(refs, keepKernels, protectedKernels)) {
            doomed.add(r.id());
        }
        List<BackupSet> deleted = new ArrayList<>();
        for (BackupSet s : sets) {
            if (doomed.contains(s.id())) {
                delete(s);
                deleted.add(s);
                journal("backup-deleted", Map.of("kernel", s.kernel(), "id", s.id(), "reason", "retention"));
            }
        }
        if (!deleted.isEmpty()) {
            collectGarbage();
        }
        return deleted;
    }

    /** What {@link #collectGarbage} removed. */
    public record Garbage(int sets, int blobs, long bytes) {
    }

    /**
     * Removes what crashed or deleted backups left: temporary and half-deleted
     * set directories, sets whose manifest is not valid, temporary blob files,
     * and blobs no valid backup refers to.
     */
    public Garbage collectGarbage() throws IOException {
        return collect(null);
    }

    /** {@link #collectGarbage}, adding the names of the blobs it keeps to {@code kept} when not null. */
    private Garbage collect(Set<String> kept) throws IOException {
        int sets = 0;
        Set<String> referenced = new HashSet<>();
        for (Path p : setDirs()) {
            String name = p.getFileName().toString();
            Optional<BackupSet> valid = name.startsWith(".") ? Optional.empty() : load(p);
            if (valid.isPresent()) {
                for (ManifestEntry e : valid.get().manifest().entries()) {
                    if (e.type() == EntryType.FILE) {
                        referenced.add(e.sha256());
                    }
                }
                continue;
            }
            if (!name.startsWith(".")) {
                // Damaged or foreign: hide it first so that it is never half visible.
                Path hidden = setsDir().resolve(DEL_PREFIX + name);
                AtomicFiles.moveAtomically(p, hidden);
                p = hidden;
            }
            deleteTree(p);
            sets++;
        }
        int blobs = 0;
        long bytes = 0;
        Path objects = dir.resolve("objects");
        List<Path> fanout = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(objects)) {
            s.forEach(fanout::add);
        } catch (NoSuchFileException e) {
            return new Garbage(sets, 0, 0);
        }
        for (Path sub : fanout) {
            String subName = sub.getFileName().toString();
            if (!Files.isDirectory(sub, LinkOption.NOFOLLOW_LINKS) || !subName.matches("[0-9a-f]{2}")) {
                if (AtomicFiles.isTemp(sub) || !Files.isDirectory(sub, LinkOption.NOFOLLOW_LINKS)) {
                    bytes += sizeOf(sub);
                    Files.deleteIfExists(sub);
                    blobs++;
                }
                continue;
            }
            boolean removedHere = false;
            try (DirectoryStream<Path> s = Files.newDirectoryStream(sub)) {
                for (Path b : s) {
                    String n = b.getFileName().toString();
                    boolean keep = BlobStore.NAME.matcher(n).matches() && n.startsWith(subName) && referenced.contains(n)
                            && Files.isRegularFile(b, LinkOption.NOFOLLOW_LINKS);
                    if (keep && kept != null) {
                        kept.add(n);
                    }
                    if (!keep) {
                        bytes += sizeOf(b);
                        if (Files.isDirectory(b, LinkOption.NOFOLLOW_LINKS)) {
                            deleteTree(b);
                        } else {
                            Files.deleteIfExists(b);
                        }
                        blobs++;
                        removedHere = true;
                    }
                }
            }
            if (removedHere) {
                AtomicFiles.fsyncDirectory(sub);
            }
        }
        if (sets > 0) {
            AtomicFiles.fsyncDirectory(setsDir());
        }
        return new Garbage(sets, blobs, bytes);
    }

    private static long sizeOf(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size();
        } catch (IOException e) {
            return 0;
        }
    }

    static void deleteTree(Path top) throws IOException {
        if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    void journal(String event, Map<String, ?> fields) {
        if (journal == null) {
            return;
        }
        try {
            journal.append(event, fields);
        } catch (IOException e) {
            // The journal records; it never decides whether a backup or restore happens.
            LOG.warn("cannot write the event journal: {}", e.getMessage());
        }
    }
}
