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
import java.time.Duration;
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
import org.zfsguard.state.StateFiles;
import org.zfsguard.state.ZfsguardLock;
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
 * <p>Every method that changes the store takes the store's own lock
 * ({@link StateDir#storeLockFile}) for its duration, or fails with
 * {@link org.zfsguard.state.LockBusyException} after a bounded wait: nothing
 * is deleted, collected or cleaned up without it. {@code backups/},
 * {@code sets/} and {@code objects/} must be real directories; a symlink or
 * other file in their place is refused, never followed.
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
    private Duration lockWait = DEFAULT_LOCK_WAIT;
    private ZfsguardLock held;
    private int lockDepth;

    /** How long a store operation waits for another process's store operation. */
    public static final Duration DEFAULT_LOCK_WAIT = Duration.ofSeconds(20);

    /** {@code dir} is {@code backups/} of a state directory; the store lock lives next to it. */
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

    /** Sets how long store operations wait for the store lock; returns this store. */
    public BackupStore waitingAtMost(Duration wait) {
        this.lockWait = wait;
        return this;
    }

    /** Work done while holding the store lock. */
    @FunctionalInterface
    public interface Locked<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code work} holding the store lock (taken once; nested calls share it).
     * Throws {@link org.zfsguard.state.LockBusyException} when another process
     * holds it longer than the wait.
     */
    public synchronized <T> T locked(Locked<T> work) throws IOException {
        if (lockDepth == 0) {
            StateDir state = StateDir.at(dir.getParent());
            held = ZfsguardLock.acquireStore(state, lockWait);
        }
        lockDepth++;
        try {
            return work.run();
        } finally {
            if (--lockDepth == 0) {
                ZfsguardLock l = held;
                held = null;
                l.close();
            }
        }
    }

    /** Refuses a store whose directories are symlinks or other files; true when the store exists. */
    private boolean checkLayout() throws IOException {
        if (!StateFiles.requireDirectoryOrAbsent(dir)) {
            return false;
        }
        StateFiles.requireDirectoryOrAbsent(setsDir());
        StateFiles.requireDirectoryOrAbsent(dir.resolve("objects"));
        return true;
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
        return locked(() -> backupLocked(kernel, reserveBytes));
    }

    private BackupOutcome backupLocked(String kernel, long reserveBytes) throws IOException {
        checkLayout();
        Set<String> present = new HashSet<>();
        collect(present);
        List<String> skipped = new ArrayList<>();
        long t0 = System.nanoTime();
        List<SourceScan.Found> found = SourceScan.scan(root, kernel, skipped);
        long t1 = System.nanoTime();
        if (found.isEmpty()) {
            return new BackupOutcome.NothingToBackUp(kernel);
        }
        boolean storeExisted = Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS);
        createPrivate(dir);
        StateFiles.requireDirectory(setsDir(), "rwx------");
        BlobStore blobs = new BlobStore(dir.resolve("objects"), present);
        StateFiles.requireDirectory(blobs.objectsDir(), "rwx------");

        String refusal = checkSpace(found, blobs, reserveBytes);
        if (refusal != null) {
            journal("backup-refused", Map.of("kernel", kernel, "reason", refusal));
            return new BackupOutcome.Refused(kernel, refusal);
        }

        Instant now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS);
        String id = BackupId.create(kernel, now);
        Path tmp = setsDir().resolve(TMP_PREFIX + id);
        Path published = setsDir().resolve(id);
        Manifest manifest;
        byte[] bytes;
        try {
            Files.createDirectory(tmp);
            List<ManifestEntry> entries = storeContents(found, blobs, skipped);
            long t2 = System.nanoTime();
            blobs.flushAndName();
            long t3 = System.nanoTime();
            manifest = new Manifest(kernel, now, dropOrphans(entries, kernel));
            bytes = manifest.toBytes();
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
            AtomicFiles.moveAtomically(tmp, published);
            LOG.debug("backup of {}: scan {} ms, contents {} ms, flush {} ms", kernel,
                    (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            // An Error (the process dying) leaves this to the next run's collection, as a kill does.
            undo(tmp, blobs, storeExisted);
            throw e;
        }
        AtomicFiles.fsyncDirectory(setsDir());
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
     * A backup that failed (a full disk, an I/O error, an interrupt) takes back
     * what it wrote: its unpublished set, the blobs only it added, the
     * directories it made. No other process writes the store meanwhile (the
     * store lock), so those blobs are nobody else's.
     */
    private void undo(Path tmp, BlobStore blobs, boolean storeExisted) {
        try {
            deleteTree(tmp);
            blobs.removeWritten();
            if (!storeExisted) {
                deleteTree(dir);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot remove what the failed backup wrote (the next backup collects it): {}", e.getMessage());
        }
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
        if (!Files.isDirectory(dir.getParent(), LinkOption.NOFOLLOW_LINKS)) {
            StateDir.at(dir.getParent()).ensure();
        }
        StateFiles.requireDirectory(dir, "rwx------");
        // A real directory now (checked without following links): the mode goes to it, not to a link's target.
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

    /**
     * Refuses a backup that would leave less than {@code reserveBytes} free. A
     * file takes whole blocks on the disk, so each content counts rounded up to
     * the block size: thousands of small modules need far more than their bytes.
     */
    private String checkSpace(List<SourceScan.Found> found, BlobStore blobs, long reserveBytes) throws IOException {
        long free = space.usableBytes(dir);
        long block = space.blockSize(dir);
        long manifestEstimate = onDisk(256L * found.size() + 4096, block) + block; // and the set directory
        long upperBound = manifestEstimate;
        for (SourceScan.Found f : found) {
            upperBound += onDisk(f.entry().size(), block);
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
                needed += onDisk(d.size(), block);
            }
        }
        if (free - needed >= reserveBytes) {
            return null;
        }
        return String.format("not enough space on %s: the backup needs %s, %s are free, and %s must stay free (reserve_mib)",
                dir, mib(needed), mib(free), mib(reserveBytes));
    }

    /** {@code bytes} rounded up to whole blocks of {@code block} bytes. */
    static long onDisk(long bytes, long block) {
        long b = Math.max(1, block);
        return (bytes + b - 1) / b * b;
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (double) MIB);
    }

    // ---------------------------------------------------------------- listing

    /**
     * Every valid backup, newest first. Temporary and incomplete sets (dot
     * names) are not listed; published sets whose manifest does not verify are
     * listed by {@link #damaged}.
     */
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

    /**
     * A published backup whose manifest does not verify (a flipped bit, a cut
     * file): shown, counted by verify, and kept with every blob its manifest
     * may name until the operator removes it ({@link #remove}).
     */
    public record DamagedSet(String id, String kernel, Path dir, String problem) {
    }

    /** The damaged backups, by id. */
    public List<DamagedSet> damaged() throws IOException {
        List<DamagedSet> out = new ArrayList<>();
        for (Path p : setDirs()) {
            damage(p).ifPresent(out::add);
        }
        out.sort(Comparator.comparing(DamagedSet::id));
        return out;
    }

    /** What is wrong with the published set at {@code setDir}, or empty when it is valid or not a set. */
    private Optional<DamagedSet> damage(Path setDir) {
        String id = setDir.getFileName().toString();
        String kernel = BackupId.kernelOf(id);
        if (kernel == null || !Files.isDirectory(setDir, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            Manifest m = Manifest.parse(readManifest(setDir.resolve("manifest")));
            if (!m.kernel().equals(kernel)) {
                return Optional.of(new DamagedSet(id, kernel, setDir, "its manifest names kernel " + m.kernel()));
            }
            return Optional.empty();
        } catch (IOException | ManifestException e) {
            return Optional.of(new DamagedSet(id, kernel, setDir, "its manifest does not verify: "
                    + SystemRoot.printable(String.valueOf(e.getMessage()))));
        }
    }

    /**
     * Removes the backup {@code id}, valid or damaged, and the blobs nothing
     * else uses; false when there is no such backup. The operator's way to get
     * rid of a damaged one.
     */
    public boolean remove(String id) throws IOException {
        if (!BackupId.isValid(id)) {
            return false;
        }
        return locked(() -> {
            checkLayout();
            Path setDir = setsDir().resolve(id);
            if (!Files.isDirectory(setDir, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            known.remove(id);
            Path gone = setsDir().resolve(DEL_PREFIX + id);
            AtomicFiles.moveAtomically(setDir, gone);
            AtomicFiles.fsyncDirectory(setsDir());
            deleteTree(gone);
            journal("backup-deleted", Map.of("kernel", BackupId.kernelOf(id), "id", id, "reason", "removed by the operator"));
            collect(null);
            return true;
        });
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
        if (!checkLayout()) {
            return out;
        }
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
        locked(() -> {
            checkLayout();
            known.remove(set.id());
            Path gone = setsDir().resolve(DEL_PREFIX + set.id());
            AtomicFiles.moveAtomically(set.dir(), gone);
            AtomicFiles.fsyncDirectory(setsDir());
            deleteTree(gone);
            return null;
        });
    }

    /**
     * Applies {@link RetentionPolicy} and removes the blobs no backup uses any
     * more; returns the backups deleted.
     */
    public List<BackupSet> applyRetention(int keepKernels, Set<String> protectedKernels) throws IOException {
        return applyRetention(keepKernels, protectedKernels, Set.of());
    }

    /** {@link #applyRetention(int, Set)}, never deleting the backups named in {@code keepIds}. */
    public List<BackupSet> applyRetention(int keepKernels, Set<String> protectedKernels, Set<String> keepIds)
            throws IOException {
        return locked(() -> retain(keepKernels, protectedKernels, keepIds));
    }

    private List<BackupSet> retain(int keepKernels, Set<String> protectedKernels, Set<String> keepIds) throws IOException {
        List<BackupSet> sets = list();
        List<RetentionPolicy.SetRef> refs = sets.stream().map(BackupSet::ref).toList();
        Set<String> doomed = new HashSet<>();
        for (RetentionPolicy.SetRef r : RetentionPolicy.toDelete(refs, keepKernels, protectedKernels, keepIds)) {
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
        return locked(() -> collect(null));
    }

    /**
     * {@link #collectGarbage}, adding the names of the blobs it keeps to {@code kept} when not null.
     * Damaged sets stay, and so does every blob their manifest may still name.
     */
    private Garbage collect(Set<String> kept) throws IOException {
        int sets = 0;
        Set<String> referenced = new HashSet<>();
        boolean keepAllBlobs = false;
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
            if (!name.startsWith(".") && damage(p).isPresent()) {
                keepAllBlobs |= !namedIn(p.resolve("manifest"), referenced);
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
                boolean foreignFile = !AtomicFiles.isTemp(sub) && !Files.isDirectory(sub, LinkOption.NOFOLLOW_LINKS);
                if (AtomicFiles.isStaleTemp(sub) || foreignFile) {
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
                    boolean keep = BlobStore.NAME.matcher(n).matches() && n.startsWith(subName)
                            && (referenced.contains(n) || keepAllBlobs)
                            && Files.isRegularFile(b, LinkOption.NOFOLLOW_LINKS)
                            || AtomicFiles.isTemp(b) && !AtomicFiles.isStaleTemp(b);
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

    /**
     * Adds to {@code names} every blob name in the damaged manifest {@code file}
     * (any 64-digit hex word: the damage may be anywhere); false when the
     * manifest cannot be read at all, so that no blob can be known to be unused.
     */
    private static boolean namedIn(Path file, Set<String> names) {
        byte[] bytes;
        try {
            bytes = readManifest(file);
        } catch (IOException e) {
            return false;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")
                .matcher(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1));
        while (m.find()) {
            names.add(m.group());
        }
        return true;
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
