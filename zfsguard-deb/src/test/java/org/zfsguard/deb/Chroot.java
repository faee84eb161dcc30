package org.zfsguard.deb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A throw-away Debian system to run real apt and dpkg in. The debootstrapped base is built once
 * per recipe and kept as a tarball under ~/.cache/zfsguard-test/; every instance is a fresh
 * copy of it under /var/tmp with /proc mounted, minimal device nodes, a policy-rc.d that forbids
 * starting services (as in an image build) and the host's resolv.conf. {@link #close()}
 * unmounts and deletes everything; leftovers of a JVM that died are cleared on the next start.
 */
final class Chroot implements AutoCloseable {

    /** Bump when the way a base is built or post-processed changes, to invalidate old caches. */
    static final int HARNESS_RECIPE_VERSION = 1;
    /** A cached base older than this is debootstrapped again. */
    static final Duration MAX_BASE_AGE = Duration.ofDays(14);

    static final String MIRROR = "http://deb.debian.org/debian";

    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(15);

    private static final Path WORK_AREA = Path.of("/var/tmp");
    private static final String INSTANCE_PREFIX = "zfsguard-chroot-";
    private static final String BUILD_PREFIX = "zfsguard-debootstrap-";
    private static final String OWNER_FILE = "owner.pid";
    private static final AtomicBoolean LEFTOVERS_CLEARED = new AtomicBoolean();
    private static final Set<Chroot> OPEN = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean SHUTDOWN_HOOK = new AtomicBoolean();

    /**
     * Paths left out of {@link #fileList()}: kernel file systems and apt/dpkg bookkeeping that
     * changes on every run by design.
     */
    static final List<String> VOLATILE = List.of(
            "/proc", "/dev", "/sys", "/run",
            "/var/cache/apt", "/var/lib/apt/lists", "/var/lib/apt/extended_states",
            "/var/log", "/var/cache/debconf/config.dat-old", "/var/cache/debconf/templates.dat-old",
            "/var/lib/dpkg/status", "/var/lib/dpkg/status-old", "/var/lib/dpkg/available",
            "/var/lib/dpkg/available-old", "/var/lib/dpkg/lock", "/var/lib/dpkg/lock-frontend",
            "/var/lib/dpkg/triggers/Lock", "/var/lib/dpkg/updates", "/var/lib/dpkg/diversions-old",
            "/var/lib/dpkg/statoverride-old", "/var/cache/ldconfig/aux-cache");

    /** What a base system is made of; its hash names the cached tarball. */
    record Recipe(String suite, String arch, String variant, List<String> include, String mirror) {

        Recipe {
            include = List.copyOf(include);
        }

        String key() {
            String text = "suite=" + suite + "\narch=" + arch + "\nvariant=" + variant + "\ninclude="
                    + String.join(",", include) + "\nmirror=" + mirror + "\nharness=" + HARNESS_RECIPE_VERSION + "\n";
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(digest, 0, 8);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        String tarballName() {
            return suite + "-" + arch + "-" + variant + "-" + key() + ".tar";
        }

        List<String> debootstrapCommand(Path target) {
            List<String> cmd = new ArrayList<>(List.of("debootstrap", "--variant=" + variant, "--arch=" + arch));
            if (!include.isEmpty()) {
                cmd.add("--include=" + String.join(",", include));
            }
            cmd.addAll(List.of(suite, target.toString(), mirror));
            return cmd;
        }
    }

    /** One entry of {@link #fileList()}: path inside the chroot, type (d f l c b p s), permission bits, owner. */
    record FileEntry(String path, char type, int mode, int uid, int gid) {
        @Override
        public String toString() {
            return String.format("%c %04o %d:%d %s", type, mode, uid, gid, path);
        }
    }

    private final Recipe recipe;
    private final Path dir;
    private final Path root;
    private boolean closed;

    private Chroot(Recipe recipe, Path dir) {
        this.recipe = recipe;
        this.dir = dir;
        this.root = dir.resolve("root");
    }

    /** Debian 12 with a Java 17 runtime, for {@code amd64} or {@code arm64} (under qemu-user-static). */
    static Chroot bookworm(String arch) {
        return create(bookwormRecipe(arch));
    }

    static Recipe bookwormRecipe(String arch) {
        return new Recipe("bookworm", arch, "minbase", List.of("openjdk-17-jre-headless"), MIRROR);
    }

    static Chroot create(Recipe recipe) {
        HostRequirements.requireRoot();
        HostRequirements.requireTools("debootstrap", "tar", "chroot", "mount", "umount", "mknod");
        HostRequirements.requireEmulation(recipe.arch());
        clearLeftovers();
        Path base = baseTarball(recipe);
        Path dir = newWorkDir(INSTANCE_PREFIX + recipe.arch() + "-");
        Chroot chroot = new Chroot(recipe, dir);
        registerShutdownHook();
        OPEN.add(chroot);
        try {
            Files.createDirectory(chroot.root);
            Exec.host(Duration.ofMinutes(10), "tar", "--numeric-owner", "-xpf", base.toString(), "-C", chroot.root.toString())
                    .orFail();
            chroot.prepare();
            return chroot;
        } catch (IOException e) {
            chroot.closeAfterFailure(e);
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            chroot.closeAfterFailure(e);
            throw e;
        }
    }

    private void closeAfterFailure(Throwable cause) {
        try {
            close();
        } catch (RuntimeException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }

    Recipe recipe() {
        return recipe;
    }

    String arch() {
        return recipe.arch();
    }

    /** The chroot's root directory on the host. */
    Path root() {
        return root;
    }

    /** Runs {@code argv} inside the chroot (via chroot(8), argument list only) with the default time limit. */
    Exec.Result run(String... argv) {
        return run(DEFAULT_TIMEOUT, argv);
    }

    Exec.Result run(Duration timeout, String... argv) {
        if (closed) {
            throw new IllegalStateException("chroot already closed");
        }
        if (argv.length == 0) {
            throw new IllegalArgumentException("empty command");
        }
        List<String> cmd = new ArrayList<>(List.of("chroot", root.toString()));
        cmd.addAll(List.of(argv));
        return Exec.run(cmd, Exec.baseEnvironment(), timeout, dir.resolve("scratch"));
    }

    /** {@link #run(String...)}, failing with the whole output unless the command exits 0. */
    Exec.Result runOk(String... argv) {
        return run(argv).orFail();
    }

    /** Copies a host file to {@code targetPath} (absolute, inside the chroot), replacing what was there. */
    void copyIn(Path source, String targetPath) {
        Path target = hostPath(targetPath);
        try {
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + source + " to " + targetPath, e);
        }
    }

    /** Writes {@code text} to {@code targetPath} inside the chroot with the given permission bits. */
    void write(String targetPath, String text, String permissions) {
        Path target = hostPath(targetPath);
        try {
            Files.createDirectories(target.getParent());
            Files.deleteIfExists(target);
            Files.writeString(target, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(permissions));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + targetPath, e);
        }
    }

    /**
     * The host path of an absolute path inside the chroot. Symbolic links are not followed here:
     * callers look at or create entries, they never write through links the guest made.
     */
    Path hostPath(String chrootPath) {
        if (!chrootPath.startsWith("/")) {
            throw new IllegalArgumentException("not an absolute path: " + chrootPath);
        }
        Path p = root.resolve(chrootPath.substring(1)).normalize();
        if (!p.startsWith(root) || chrootPath.contains("/../") || chrootPath.endsWith("/..")) {
            throw new IllegalArgumentException("path leaves the chroot: " + chrootPath);
        }
        return p;
    }

    /** Every entry of the chroot except {@link #VOLATILE} ones, keyed and sorted by path. */
    SortedMap<String, FileEntry> fileList() {
        SortedMap<String, FileEntry> entries = new TreeMap<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    String path = chrootPath(d);
                    if (isVolatile(path)) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    entries.put(path, entry(d, path));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    String path = chrootPath(f);
                    if (!isVolatile(path)) {
                        entries.put(path, entry(f, path));
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        return entries;
    }

    static boolean isVolatile(String path) {
        for (String v : VOLATILE) {
            if (path.equals(v) || path.startsWith(v + "/")) {
                return true;
            }
        }
        return false;
    }

    private String chrootPath(Path p) {
        Path rel = root.relativize(p);
        return rel.toString().isEmpty() ? "/" : "/" + rel;
    }

    private static FileEntry entry(Path p, String path) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        return new FileEntry(path, typeOf(mode), mode & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"));
    }

    static char typeOf(int mode) {
        return switch (mode & 0170000) {
            case 0040000 -> 'd';
            case 0100000 -> 'f';
            case 0120000 -> 'l';
            case 0020000 -> 'c';
            case 0060000 -> 'b';
            case 0010000 -> 'p';
            case 0140000 -> 's';
            default -> '?';
        };
    }

    /** Unmounts and deletes this chroot. Safe to call twice; refuses to delete anything still mounted. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            removeWorkDir(dir);
        } finally {
            OPEN.remove(this);
        }
    }

    /**
     * A JVM stopped by a signal (a build timeout, Ctrl-C) still unmounts and deletes its chroots;
     * one killed outright leaves them to {@link #clearLeftovers()} of the next run.
     */
    private static void registerShutdownHook() {
        if (SHUTDOWN_HOOK.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                for (Chroot c : List.copyOf(OPEN)) {
                    try {
                        c.close();
                    } catch (RuntimeException e) {
                        System.err.println("could not remove the chroot " + c.dir + ": " + e.getMessage());
                    }
                }
            }, "chroot-cleanup"));
        }
    }

    // ---- instance set-up ------------------------------------------------------------------

    private void prepare() throws IOException {
        Path dev = root.resolve("dev");
        Files.createDirectories(dev);
        // Nodes rather than a bind mount of the host's /dev: a failed unmount can then never
        // let the final recursive delete reach the host's devices.
        String[][] nodes = {{"null", "1", "3"}, {"zero", "1", "5"}, {"full", "1", "7"}, {"random", "1", "8"},
                {"urandom", "1", "9"}, {"tty", "5", "0"}};
        for (String[] n : nodes) {
            Path node = dev.resolve(n[0]);
            if (!Files.exists(node, LinkOption.NOFOLLOW_LINKS)) {
                Exec.host(Duration.ofSeconds(30), "mknod", "-m", "666", node.toString(), "c", n[1], n[2]).orFail();
            }
        }
        for (String[] link : new String[][] {{"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"},
                {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"}}) {
            Path l = dev.resolve(link[0]);
            if (!Files.exists(l, LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(l, Path.of(link[1]));
            }
        }
        Files.createDirectories(dev.resolve("shm"));
        Files.createDirectories(dev.resolve("pts"));
        Path proc = root.resolve("proc");
        Files.createDirectories(proc);
        Exec.host(Duration.ofSeconds(30), "mount", "-t", "proc", "proc", proc.toString()).orFail();
        // As in an image build: maintainer scripts may not start services.
        write("/usr/sbin/policy-rc.d", "#!/bin/sh\nexit 101\n", "rwxr-xr-x");
        Path resolv = Path.of("/etc/resolv.conf");
        if (Files.isReadable(resolv)) {
            write("/etc/resolv.conf", Files.readString(resolv), "rw-r--r--");
        }
    }

    // ---- base tarball ---------------------------------------------------------------------

    static Path cacheDir() {
        return Path.of(System.getProperty("user.home"), ".cache", "zfsguard-test");
    }

    /** The cached base of {@code recipe}, debootstrapped now if it is not there yet. */
    static Path baseTarball(Recipe recipe) {
        Path cache = cacheDir();
        Path tarball = cache.resolve(recipe.tarballName());
        try {
            Files.createDirectories(cache);
            try (FileChannel ch = FileChannel.open(cache.resolve(recipe.tarballName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = ch.lock()) {
                if (!Files.isRegularFile(tarball)) {
                    build(recipe, tarball);
                    return tarball;
                }
                Duration age = Duration.between(Files.getLastModifiedTime(tarball).toInstant(), java.time.Instant.now());
                if (age.compareTo(MAX_BASE_AGE) > 0) {
                    // Security and point releases reach the suites; tests should meet what users install.
                    try {
                        build(recipe, tarball);
                    } catch (AssertionError | IOException | UncheckedIOException e) {
                        System.out.printf("chroot base %s is %d days old and could not be refreshed, using it: %s%n",
                                recipe.arch(), age.toDays(), String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
                    }
                }
                return tarball;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the base tarball " + tarball, e);
        }
    }

    private static void build(Recipe recipe, Path tarball) throws IOException {
        Path dir = newWorkDir(BUILD_PREFIX + recipe.arch() + "-");
        try {
            Path target = dir.resolve("root");
            long start = System.nanoTime();
            Exec.Result r = Exec.run(recipe.debootstrapCommand(target), Exec.baseEnvironment(), Duration.ofMinutes(75),
                    dir.resolve("scratch"));
            if (!r.ok()) {
                Path log = target.resolve("debootstrap/debootstrap.log");
                String logTail = Files.exists(log) ? tail(Files.readString(log), 4000) : "(no debootstrap.log)";
                throw new AssertionError("debootstrap failed\n" + r.describe() + "\n--- debootstrap.log ---\n" + logTail);
            }
            // The downloaded .debs are not part of the system; leaving them out halves the tarball.
            try (DirectoryStream<Path> debs = Files.newDirectoryStream(target.resolve("var/cache/apt/archives"), "*.deb")) {
                for (Path deb : debs) {
                    Files.delete(deb);
                }
            }
            removeMounts(dir);
            Path tmp = tarball.resolveSibling(tarball.getFileName() + ".tmp");
            Exec.host(Duration.ofMinutes(10), "tar", "--numeric-owner", "-cpf", tmp.toString(), "-C", target.toString(), ".")
                    .orFail();
            Files.move(tmp, tarball, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            System.out.printf("chroot base %s debootstrapped and cached in %d s: %s%n", recipe.arch(),
                    Duration.ofNanos(System.nanoTime() - start).toSeconds(), tarball);
        } finally {
            removeWorkDir(dir);
        }
    }

    private static String tail(String s, int max) {
        return s.length() <= max ? s : s.substring(s.length() - max);
    }

    // ---- work directories and their safe removal --------------------------------------------

    private static Path newWorkDir(String prefix) {
        try {
            Path dir = Files.createTempDirectory(WORK_AREA, prefix);
            Files.writeString(dir.resolve(OWNER_FILE), ProcessHandle.current().pid() + "\n");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work directory under " + WORK_AREA, e);
        }
    }

    /**
     * Removes work directories whose owning JVM is gone (killed before close() could run),
     * once per JVM. Those of a live JVM are left alone: another build may be using them.
     */
    static void clearLeftovers() {
        if (!LEFTOVERS_CLEARED.compareAndSet(false, true)) {
            return;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(WORK_AREA,
                p -> p.getFileName().toString().startsWith(INSTANCE_PREFIX)
                        || p.getFileName().toString().startsWith(BUILD_PREFIX))) {
            for (Path d : dirs) {
                if (!ownerAlive(d)) {
                    System.out.println("removing the leftover chroot " + d);
                    removeWorkDir(d);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look for leftover chroots in " + WORK_AREA, e);
        }
    }

    private static boolean ownerAlive(Path dir) {
        try {
            long pid = Long.parseLong(Files.readString(dir.resolve(OWNER_FILE)).strip());
            return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private static void removeMounts(Path dir) {
        for (Path mp : MountTable.mountsUnder(dir)) {
            if (!Exec.host(Duration.ofMinutes(2), "umount", mp.toString()).ok()) {
                Exec.host(Duration.ofMinutes(2), "umount", "-l", mp.toString());
            }
        }
        List<Path> still = MountTable.mountsUnder(dir);
        if (!still.isEmpty()) {
            throw new IllegalStateException("still mounted, so not deleting " + dir + ": " + still);
        }
    }

    private static void removeWorkDir(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        removeMounts(dir);
        // --one-file-system: even a mount this process did not see is never descended into.
        Exec.Result rm = Exec.host(Duration.ofMinutes(10), "rm", "-rf", "--one-file-system", dir.toString());
        if (!rm.ok()) {
            throw new IllegalStateException("cannot delete " + dir + "\n" + rm.describe());
        }
    }

    /** Describes the differences between two file lists, one line per path, empty when equal. */
    static List<String> differences(Map<String, FileEntry> before, Map<String, FileEntry> after) {
        Map<String, String> lines = new LinkedHashMap<>();
        for (var e : before.entrySet()) {
            FileEntry now = after.get(e.getKey());
            if (now == null) {
                lines.put(e.getKey(), "- " + e.getValue());
            } else if (!now.equals(e.getValue())) {
                lines.put(e.getKey(), "~ " + e.getValue() + "  ->  " + now);
            }
        }
        for (var e : after.entrySet()) {
            if (!before.containsKey(e.getKey())) {
                lines.put(e.getKey(), "+ " + e.getValue());
            }
        }
        return new TreeMap<>(lines).values().stream().toList();
    }
}
