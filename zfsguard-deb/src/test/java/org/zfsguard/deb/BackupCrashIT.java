package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.zfsguard.deb.FakeKernelPackages.NEW_K;
import static org.zfsguard.deb.FakeKernelPackages.NEW_VERSION;
import static org.zfsguard.deb.FakeKernelPackages.OLD_K;
import static org.zfsguard.deb.FakeKernelPackages.OLD_VERSION;
import static org.zfsguard.deb.FakeKernelPackages.ZFS_OLD;
import static org.zfsguard.deb.Scenarios.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The boot-set backup of apt's pre-install hook killed with SIGKILL at several points, in a
 * Debian 12 amd64 chroot with real apt and dpkg and the FAKE packages of
 * {@link FakeKernelPackages}. Each kill is one kernel change ({@code apt-get install} of the
 * other fake kernel version, so the runs alternate between upgrade and downgrade); before it,
 * the kernel about to be replaced gets a few thousand extra module files of fresh random content
 * with long names, so that its backup writes thousands of new blobs and a large manifest and
 * takes long enough to be caught in each phase. No production code is changed for this.
 *
 * <p>The test watches the store from the host while apt runs. When the chosen condition holds,
 * it stops the JVM with SIGSTOP, waits until every thread is stopped, checks the condition
 * again on the frozen store and only then sends SIGKILL: the kill provably happened in that
 * state. If the condition no longer holds, the JVM goes on (SIGCONT) and the watch continues;
 * a run in which the point was missed (apt and dpkg are still checked) is retried with a fresh
 * kernel change, a bounded number of times per point, and then the test fails: it never passes
 * without a kill in every state.
 *
 * <p>The same kills reach the kernel prerm hook's backup (a plain {@code dpkg -i}, where apt's
 * hook does not run), and the garbage collection that follows retention: once a kernel has more
 * backups than retention keeps, the hook deletes the oldest and removes its blobs, and is killed
 * with some of them gone and some not.
 *
 * <p>After every kill: apt (or dpkg) exits 0 and says the hook failed, dpkg is consistent, every
 * listed backup is complete and verifies, the killed set is not listed, a fresh backup succeeds
 * and verifies, the store holds no temporary file and no blob that no backup uses, and a backup
 * of another kernel made before any kill is still listed, unchanged, and verifies.
 */
class BackupCrashIT extends ChrootSuite {

    private static final String STORE = Scenarios.STATE + "/backups";
    private static final String TEMP_MARK = org.zfsguard.state.AtomicFiles.TEMP_MARK;
    /** A kernel no package owns, backed up once before any kill: the earlier backup a crash must not touch. */
    private static final String KEPT_K = "6.12.40-current-rockchip64";
    private static final String EXTRA_DIR = "kernel/zfsguard-crash-test";
    private static final int EXTRA_DIRS = 40;
    private static final int EXTRA_FILES = 4000;
    private static final int EXTRA_BYTES = 16 * 1024;
    private static final Duration WATCH_LIMIT = Duration.ofMinutes(10);
    private static final Pattern BACKUP_ID = Pattern.compile("\\S+@[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}");
    private static final Pattern CREATED = Pattern.compile("backed up boot set of \\S+ .* as (" + BACKUP_ID.pattern() + ")");

    /** The hook whose JVM is killed, and how a kernel change reaches it. */
    enum Hook {
        /** apt-get install: apt's pre-install hook backs up before dpkg runs. */
        APT_PRE_INSTALL("apt-pre-install", "the pre-install hook failed (exit 137)"),
        /** dpkg -i alone: the old kernel's prerm runs /etc/kernel/prerm.d, and zfsguard's backs it up. */
        KERNEL_PRERM("kernel-prerm", "zfsguard: could not back up kernel ");

        final String argument;
        final String failureSays;

        Hook(String argument, String failureSays) {
            this.argument = argument;
            this.failureSays = failureSays;
        }
    }

    /** Where in the backup the JVM is killed, as seen from outside in the store. */
    enum KillPoint {
        /** The first new blobs exist under temporary names (fewer than half); nothing new is named yet. */
        FIRST_TEMP_BLOB(3) {
            @Override
            boolean holds(StoreView v) {
                return v.tempBlobs() >= 1 && v.tempBlobs() < EXTRA_FILES / 2 && v.newNamedBlobs() == 0 && v.workSetExists()
                        && !v.published();
            }
        },
        /** Half of the new blobs are written under temporary names, none renamed yet. */
        HALF_THE_BLOBS_WRITTEN(3) {
            @Override
            boolean holds(StoreView v) {
                return v.tempBlobs() >= EXTRA_FILES / 2 && v.newNamedBlobs() == 0 && !v.published();
            }
        },
        /** Blobs are getting (or have got) their final names; no manifest yet, nothing published. */
        BLOBS_NAMED_BEFORE_MANIFEST(3) {
            @Override
            boolean holds(StoreView v) {
                return v.newNamedBlobs() >= 1 && v.workSetExists() && v.workSetFiles().isEmpty() && !v.published();
            }
        },
        /**
         * The manifest is in {@code sets/.tmp-<id>/} (still being written, or complete and waiting
         * for the flush before the publishing rename); the set is not published. The set directory
         * is invisible until that rename, so the manifest has no temporary name of its own. The
         * narrowest window: caught in about three kernel changes out of five on a 2-core machine,
         * hence more tries.
         */
        MANIFEST_BEFORE_PUBLISH(8) {
            @Override
            boolean holds(StoreView v) {
                return v.workSetFiles().contains("manifest") && !v.published();
            }
        },
        /** The kernel prerm hook's backup (plain dpkg -i), half of its new blobs under temporary names. */
        PRERM_HALF_THE_BLOBS_WRITTEN(3, Hook.KERNEL_PRERM) {
            @Override
            boolean holds(StoreView v) {
                return HALF_THE_BLOBS_WRITTEN.holds(v);
            }
        },
        /**
         * The new set is published; retention has deleted an older set of the same kernel, and
         * garbage collection has removed some of the blobs only that set used, not all.
         */
        GARBAGE_COLLECTION_HALF_DONE(4) {
            @Override
            boolean holds(StoreView v) {
                return v.published() && v.retiredBlobs() > 0 && v.retiredBlobsLeft() > 0 && v.retiredBlobsLeft() < v.retiredBlobs();
            }
        };

        /** Kernel changes tried before the test gives up on catching the backup in this state. */
        final int attempts;
        final Hook hook;

        KillPoint(int attempts) {
            this(attempts, Hook.APT_PRE_INSTALL);
        }

        KillPoint(int attempts, Hook hook) {
            this.attempts = attempts;
            this.hook = hook;
        }

        abstract boolean holds(StoreView v);
    }

    @Test
    void sigkillOfTheAptHooksBackupAtAnyPointNeverFailsAptNorListsAPartialBackup() throws IOException {
        long start = System.nanoTime();
        try (Chroot c = Chroot.bookworm("amd64")) {
            Scenarios.armbianWithZfs(c);
            Scenarios.installZfsguard(c, pkg);
            // Retention is not what is tested here: let it keep every kernel's backups.
            c.write(Scenarios.CONFIG, "keep_kernels = 10\n", "rw-r--r--");

            String keptId = backUpKeptKernel(c);
            byte[] keptManifest = Files.readAllBytes(c.hostPath(STORE + "/sets/" + keptId + "/manifest"));

            List<String> report = new ArrayList<>();
            int runs = 0;
            for (KillPoint point : KillPoint.values()) {
                Optional<Kill> kill = Optional.empty();
                int attempt = 0;
                while (kill.isEmpty() && attempt < point.attempts) {
                    attempt++;
                    runs++;
                    kill = killedKernelChange(c, point, attempt);
                }
                assertThat(kill).as("%s: the backup of apt's hook was never caught in this state in %d kernel changes",
                        point, point.attempts).isPresent();
                report.add(point + " (kernel change " + attempt + " of at most " + point.attempts + "): " + kill.get());
                assertStoreSound(c, kill.get(), keptId, keptManifest);
            }
            System.out.println("--- BackupCrashIT: " + report.size() + " kill points hit in " + runs + " kernel changes, "
                    + Duration.ofNanos(System.nanoTime() - start).toSeconds() + " s in all ---\n" + String.join("\n", report));
        }
    }

    /** What was killed, and the store as it was when the SIGKILL went out. */
    record Kill(KillPoint point, long pid, String replacedKernel, String workSet, StoreView frozen) {
        @Override
        public String toString() {
            return "pid " + pid + " (" + point.hook.argument + ") killed backing up " + replacedKernel + " with " + frozen.tempBlobs()
                    + " temporary and " + frozen.newNamedBlobs() + " newly named blobs, " + workSet + " holding "
                    + frozen.workSetFiles() + (frozen.retiredBlobs() > 0 ? ", " + frozen.retiredBlobsLeft() + " of "
                    + frozen.retiredBlobs() + " blobs of the retired set left" : "");
        }
    }

    /**
     * One kernel change through apt (upgrade or downgrade, whichever is next), killing the hook's
     * JVM when {@code point} holds. Empty when the backup ran past the point without being caught.
     */
    private static Optional<Kill> killedKernelChange(Chroot c, KillPoint point, int attempt) throws IOException {
        boolean upgrade = installedVersion(c).equals(OLD_VERSION);
        String replaced = upgrade ? OLD_K : NEW_K;
        String target = upgrade ? NEW_VERSION : OLD_VERSION;
        String deb = upgrade ? Scenarios.upgradeDeb(c) : Scenarios.oldDeb(c);
        removeExtraFiles(c, OLD_K);
        removeExtraFiles(c, NEW_K);
        writeExtraFiles(c, replaced);
        FakeKernelPackages.dkmsBuilt(c, replaced, ZFS_OLD);
        Set<String> namedBefore = namedBlobs(c);
        Set<String> setsBefore = setNames(c);
        java.util.Map<String, Set<String>> blobsBefore = new java.util.HashMap<>();
        if (point == KillPoint.GARBAGE_COLLECTION_HALF_DONE) {
            for (String id : setsBefore) {
                if (!id.startsWith(".")) {
                    blobsBefore.put(id, blobsOf(c, id));
                }
            }
        }
        Before before = new Before(namedBefore, setsBefore, blobsBefore);

        CompletableFuture<Exec.Result> apt = CompletableFuture.supplyAsync(() -> point.hook == Hook.KERNEL_PRERM
                ? c.run("dpkg", "-i", deb)
                : c.run("apt-get", "install", "-y", "--allow-downgrades", deb));
        Optional<Kill> kill;
        try {
            kill = watchAndKill(c, point, replaced, before, apt);
        } finally {
            awaitApt(apt); // never leave apt running in a chroot that is about to be deleted
        }
        Exec.Result r = apt.join();
        String what = point + ", attempt " + attempt + ", " + (upgrade ? "upgrade" : "downgrade") + " replacing " + replaced;
        System.out.println("--- " + what + ": " + (kill.isPresent() ? kill.get() : "not caught") + " ---\n"
                + output(r).lines().filter(l -> l.contains("zfsguard")).collect(java.util.stream.Collectors.joining("\n")));

        // Whether or not the kill landed, apt and dpkg are fine.
        assertThat(r.exitCode()).as(what + "\n" + r.describe()).isZero();
        assertThat(installedVersion(c)).as(what).isEqualTo(target);
        Exec.Result audit = c.run("dpkg", "--audit");
        assertThat(audit.stdout()).as(what + ": dpkg --audit\n" + audit.describe()).isEmpty();
        if (kill.isEmpty()) {
            return kill;
        }
        // The hook saw its JVM die (of SIGKILL, 128 + 9, for apt's) and let apt or dpkg go on.
        assertThat(output(r)).as(what + "\n" + r.describe()).contains(point.hook.failureSays);
        return kill;
    }

    private static Exec.Result awaitApt(CompletableFuture<Exec.Result> apt) {
        try {
            return apt.get(Chroot.DEFAULT_TIMEOUT.toMinutes() + 1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for apt-get", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("apt-get did not finish", e);
        }
    }

    /**
     * Polls the store while apt runs; once the hook's JVM is there and {@code point} holds, freezes
     * the JVM, re-checks the frozen store and kills it, or lets it go on when the state moved past.
     */
    private static Optional<Kill> watchAndKill(Chroot c, KillPoint point, String replaced, Before before,
            CompletableFuture<Exec.Result> apt) {
        long deadline = System.nanoTime() + WATCH_LIMIT.toNanos();
        long pid = -1;
        while (!apt.isDone()) {
            assertThat(System.nanoTime()).as("%s: apt-get still running after %s", point, WATCH_LIMIT).isLessThan(deadline);
            if (pid < 0 || !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                pid = HookJvm.find(c, point.hook).orElse(-1L);
                if (pid < 0) {
                    pause(); // the JVM lives for seconds before any point: no need to race for it
                    continue;
                }
            }
            if (!point.holds(StoreView.of(c, replaced, before, point))) {
                if (point == KillPoint.HALF_THE_BLOBS_WRITTEN || point == KillPoint.PRERM_HALF_THE_BLOBS_WRITTEN) {
                    pause(); // a state of seconds: no need to take a whole core from the JVM
                }
                continue;
            }
            if (!HookJvm.stop(pid, c, point.hook)) {
                continue; // it ended meanwhile
            }
            boolean killed = false;
            try {
                StoreView frozen = StoreView.of(c, replaced, before, null);
                if (point.holds(frozen)) {
                    HookJvm.kill(pid);
                    killed = true;
                    return Optional.of(new Kill(point, pid, replaced, frozen.workSet(), frozen));
                }
            } finally {
                if (!killed) {
                    HookJvm.resume(pid);
                }
            }
        }
        return Optional.empty();
    }

    private static void pause() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    // ---- the checks after a kill ------------------------------------------------------------------

    private static void assertStoreSound(Chroot c, Kill kill, String keptId, byte[] keptManifest) throws IOException {
        String what = kill.point() + " (" + kill + ")";
        Exec.Result listing = Scenarios.backups(c);
        List<String[]> rows = listedBackups(listing);
        assertThat(rows).as(what + ": listed backups\n" + listing.describe()).isNotEmpty();
        for (String[] row : rows) {
            assertThat(row[0]).as(what + ": listed id\n" + listing.describe()).doesNotStartWith(".");
            assertThat(row[row.length - 1]).as(what + ": state of " + row[0] + "\n" + listing.describe()).isEqualTo("complete");
            Exec.Result verify = c.run("zfsguard", "verify", row[0]);
            assertThat(verify.exitCode()).as(what + ": every listed backup verifies\n" + verify.describe()).isZero();
        }
        // The set the killed JVM was assembling never shows up under its own name; one it had
        // published before garbage collection stays listed (and verifies, above).
        if (kill.workSet() != null) {
            String killedId = kill.workSet().substring(".tmp-".length());
            assertThat(rows.stream().map(r -> r[0])).as(what + "\n" + listing.describe()).doesNotContain(killedId);
            assertThat(c.hostPath(STORE + "/sets/" + killedId)).as(what).doesNotExist();
        } else {
            assertThat(kill.frozen().published()).as(what).isTrue();
        }

        // The earlier backup is still there, byte for byte, and still verifies.
        assertThat(rows.stream().map(r -> r[0])).as(what + ": the earlier backup\n" + listing.describe()).contains(keptId);
        assertThat(Files.readAllBytes(c.hostPath(STORE + "/sets/" + keptId + "/manifest"))).as(what + ": manifest of " + keptId)
                .isEqualTo(keptManifest);
        Exec.Result kept = c.run("zfsguard", "verify", keptId);
        assertThat(kept.exitCode()).as(what + "\n" + kept.describe()).isZero();

        // A fresh backup of the kernel the killed one was backing up succeeds and verifies.
        Exec.Result fresh = c.run("zfsguard", "backup", "--kernel", kill.replacedKernel());
        assertThat(fresh.exitCode()).as(what + ": fresh backup\n" + fresh.describe()).isZero();
        Matcher m = CREATED.matcher(fresh.stdout());
        assertThat(m.find()).as(what + ": fresh backup\n" + fresh.describe()).isTrue();
        Exec.Result verify = c.run("zfsguard", "verify", m.group(1));
        assertThat(verify.exitCode()).as(what + ": fresh backup verifies\n" + verify.describe()).isZero();

        // The crash's garbage is gone: no temporary set or blob, no blob no backup refers to.
        assertThat(setNames(c).stream().filter(n -> n.startsWith("."))).as(what + ": leftover set directories").isEmpty();
        assertThat(tempBlobs(c)).as(what + ": temporary blob files").isEmpty();
        Set<String> referenced = new HashSet<>();
        for (String id : setNames(c)) {
            referenced.addAll(blobsOf(c, id));
        }
        assertThat(namedBlobs(c)).as(what + ": blobs on disk = blobs the backups refer to").isEqualTo(referenced);
    }

    /** The id and state columns of each backup {@code zfsguard backups} lists. */
    private static List<String[]> listedBackups(Exec.Result listing) {
        List<String[]> rows = new ArrayList<>();
        for (String line : listing.stdout().lines().toList()) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length >= 2 && BACKUP_ID.matcher(cols[0]).matches()) {
                rows.add(cols);
            }
        }
        return rows;
    }

    // ---- the set-up ---------------------------------------------------------------------------

    /** A third kernel's boot set, by hand, backed up once: its backup predates every kill. */
    private static String backUpKeptKernel(Chroot c) {
        SplittableRandom random = new SplittableRandom(7);
        writeRandom(c, "/boot/vmlinuz-" + KEPT_K, 512 * 1024, random);
        c.write("/boot/config-" + KEPT_K, "CONFIG_MODULES=y\n", "rw-r--r--");
        c.write("/usr/lib/modules/" + KEPT_K + "/modules.dep", "kernel/drivers/kept.ko:\n", "rw-r--r--");
        writeRandom(c, "/usr/lib/modules/" + KEPT_K + "/kernel/drivers/kept.ko", 64 * 1024, random);
        Exec.Result r = c.run("zfsguard", "backup", "--kernel", KEPT_K);
        assertThat(r.exitCode()).as(r.describe()).isZero();
        Matcher m = CREATED.matcher(r.stdout());
        assertThat(m.find()).as(r.describe()).isTrue();
        Exec.Result verify = c.run("zfsguard", "verify", m.group(1));
        assertThat(verify.exitCode()).as(verify.describe()).isZero();
        return m.group(1);
    }

    /**
     * Thousands of module files of fresh random content (no blob of the store has it yet) under
     * long directory and file names (a manifest of some megabytes): a backup that takes a while in
     * every phase.
     */
    private static void writeExtraFiles(Chroot c, String kernel) {
        SplittableRandom random = new SplittableRandom(System.nanoTime());
        String pad = "x".repeat(200);
        for (int i = 0; i < EXTRA_FILES; i++) {
            String dir = "/usr/lib/modules/" + kernel + "/" + EXTRA_DIR + "/dir-" + (i % EXTRA_DIRS) + "-" + pad + "/sub-" + pad;
            writeRandom(c, dir + "/module-" + i + "-" + pad + ".ko", EXTRA_BYTES, random);
        }
    }

    private static void removeExtraFiles(Chroot c, String kernel) {
        Path dir = c.hostPath("/usr/lib/modules/" + kernel + "/" + EXTRA_DIR);
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Exec.host(Duration.ofMinutes(2), "rm", "-rf", "--one-file-system", dir.toString()).orFail();
        }
    }

    private static void writeRandom(Chroot c, String path, int size, SplittableRandom random) {
        byte[] data = new byte[size];
        random.nextBytes(data);
        Path p = c.hostPath(path);
        try {
            Files.createDirectories(p.getParent());
            Files.write(p, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String installedVersion(Chroot c) {
        return c.runOk("dpkg-query", "-W", "-f=${Version}", FakeKernelPackages.CURRENT_IMAGE).stdout();
    }

    // ---- looking at the store from the host -----------------------------------------------------

    /**
     * The store as the watcher sees it: temporary blob files, blobs named since the run began, the
     * set directory being assembled for {@code replaced} ({@code sets/.tmp-<replaced>@...}) and its
     * files, and whether a new set of {@code replaced} was published.
     */
    /** The store before a kernel change: blob names, set names, and (for the garbage collection point) each set's blobs. */
    record Before(Set<String> namedBlobs, Set<String> sets, java.util.Map<String, Set<String>> blobsOfSets) {
    }

    /**
     * @param retiredBlobs blobs that only sets retention deleted during this run used (0 when none was deleted)
     * @param retiredBlobsLeft how many of them are still on disk
     */
    record StoreView(int tempBlobs, int newNamedBlobs, String workSet, List<String> workSetFiles, boolean published,
            int retiredBlobs, int retiredBlobsLeft) {

        boolean workSetExists() {
            return workSet != null;
        }

        /**
         * Reads only what {@code point} needs while polling (the blob directories are the slow part);
         * everything with {@code point} null.
         */
        static StoreView of(Chroot c, String replaced, Before before, KillPoint point) {
            Set<String> namedBefore = before.namedBlobs();
            Set<String> setsBefore = before.sets();
            String workSet = null;
            List<String> files = List.of();
            boolean published = false;
            Set<String> now = setNames(c);
            for (String name : now) {
                if (name.startsWith(".tmp-" + replaced + "@")) {
                    workSet = name;
                    files = list(c.hostPath(STORE + "/sets/" + name));
                } else if (name.startsWith(replaced + "@") && !setsBefore.contains(name)) {
                    published = true;
                }
            }
            int retired = 0;
            int retiredLeft = 0;
            if (published && !before.blobsOfSets().isEmpty()) {
                Set<String> gone = new HashSet<>();
                Set<String> stillUsed = new HashSet<>();
                for (var e : before.blobsOfSets().entrySet()) {
                    (now.contains(e.getKey()) ? stillUsed : gone).addAll(e.getValue());
                }
                for (String name : now) {
                    if (name.startsWith(replaced + "@") && !setsBefore.contains(name)) {
                        stillUsed.addAll(blobsOf(c, name));
                    }
                }
                gone.removeAll(stillUsed);
                retired = gone.size();
                for (String blob : gone) {
                    if (Files.exists(c.hostPath(STORE + "/objects/" + blob.substring(0, 2) + "/" + blob), LinkOption.NOFOLLOW_LINKS)) {
                        retiredLeft++;
                    }
                }
            }
            int temp = 0;
            int named = 0;
            if (point == null || point == KillPoint.HALF_THE_BLOBS_WRITTEN || point == KillPoint.FIRST_TEMP_BLOB
                    || point == KillPoint.BLOBS_NAMED_BEFORE_MANIFEST || point == KillPoint.PRERM_HALF_THE_BLOBS_WRITTEN) {
                for (String fanout : list(c.hostPath(STORE + "/objects"))) {
                    for (String blob : list(c.hostPath(STORE + "/objects/" + fanout))) {
                        if (blob.contains(TEMP_MARK)) {
                            temp++;
                        } else if (!namedBefore.contains(blob)) {
                            named++;
                        }
                    }
                }
            }
            return new StoreView(temp, named, workSet, files, published, retired, retiredLeft);
        }
    }

    private static List<String> list(Path dir) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    private static Set<String> setNames(Chroot c) {
        return new HashSet<>(list(c.hostPath(STORE + "/sets")));
    }

    private static Set<String> namedBlobs(Chroot c) {
        Set<String> names = new HashSet<>();
        for (String fanout : list(c.hostPath(STORE + "/objects"))) {
            for (String blob : list(c.hostPath(STORE + "/objects/" + fanout))) {
                if (!blob.contains(TEMP_MARK)) {
                    names.add(blob);
                }
            }
        }
        return names;
    }

    private static List<String> tempBlobs(Chroot c) {
        List<String> temps = new ArrayList<>();
        for (String fanout : list(c.hostPath(STORE + "/objects"))) {
            if (fanout.contains(TEMP_MARK)) {
                temps.add(fanout);
            }
            for (String blob : list(c.hostPath(STORE + "/objects/" + fanout))) {
                if (blob.contains(TEMP_MARK)) {
                    temps.add(fanout + "/" + blob);
                }
            }
        }
        return temps;
    }

    /** The sha256 of every file entry of the manifest of set {@code id}. */
    private static Set<String> blobsOf(Chroot c, String id) {
        Set<String> shas = new HashSet<>();
        try {
            for (String line : Files.readAllLines(c.hostPath(STORE + "/sets/" + id + "/manifest"), StandardCharsets.UTF_8)) {
                String[] cols = line.split("\t", -1);
                if (!line.startsWith("#") && cols.length >= 7 && cols[0].equals("f")) {
                    shas.add(cols[5]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return shas;
    }

    // ---- the hook's JVM -------------------------------------------------------------------------

    /** The JVM of {@code zfsguard hook apt-pre-install} inside one chroot, found through the host's /proc. */
    static final class HookJvm {
        private HookJvm() {
        }

        static Optional<Long> find(Chroot c, Hook hook) {
            for (String entry : list(Path.of("/proc"))) {
                if (entry.chars().allMatch(Character::isDigit) && isHookJvm(Long.parseLong(entry), c, hook)) {
                    return Optional.of(Long.parseLong(entry));
                }
            }
            return Optional.empty();
        }

        /** A java process running zfsguard.jar with the arguments {@code hook <hook>}, rooted in {@code c}. */
        static boolean isHookJvm(long pid, Chroot c, Hook which) {
            try {
                byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
                List<String> argv = List.of(new String(raw, StandardCharsets.UTF_8).split("\u0000"));
                if (argv.isEmpty() || !argv.get(0).endsWith("java") || argv.stream().noneMatch(a -> a.endsWith("zfsguard.jar"))) {
                    return false;
                }
                int hook = argv.indexOf("hook");
                if (hook < 0 || hook + 1 >= argv.size() || !argv.get(hook + 1).equals(which.argument)) {
                    return false;
                }
                Path root = Files.readSymbolicLink(Path.of("/proc/" + pid + "/root"));
                return root.equals(c.root()) || root.equals(c.root().toRealPath());
            } catch (IOException e) {
                return false; // gone, or not ours to look at
            }
        }

        /**
         * SIGSTOP, then waits until every thread is stopped, so that the store no longer changes.
         * False when the process ended (or turned out not to be the hook's JVM) first.
         */
        static boolean stop(long pid, Chroot c, Hook hook) {
            if (!signal("STOP", pid)) {
                return false;
            }
            if (!isHookJvm(pid, c, hook)) {
                signal("CONT", pid);
                return false;
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                Optional<Boolean> stopped = allThreadsStopped(pid);
                if (stopped.isEmpty()) {
                    return false;
                }
                if (stopped.get()) {
                    return true;
                }
                if (System.nanoTime() > deadline) {
                    signal("CONT", pid);
                    throw new AssertionError("the threads of pid " + pid + " did not stop within 30 s of SIGSTOP");
                }
                Thread.onSpinWait();
            }
        }

        static void kill(long pid) {
            assertThat(signal("KILL", pid)).as("SIGKILL to the hook's JVM, pid " + pid).isTrue();
        }

        static void resume(long pid) {
            signal("CONT", pid);
        }

        private static boolean signal(String name, long pid) {
            return Signaller.INSTANCE.send(name, pid);
        }

        /** Empty when the process is gone or dying. */
        private static Optional<Boolean> allThreadsStopped(long pid) {
            List<String> tasks = list(Path.of("/proc/" + pid + "/task"));
            if (tasks.isEmpty()) {
                return Optional.empty();
            }
            for (String tid : tasks) {
                String stat;
                try {
                    stat = Files.readString(Path.of("/proc/" + pid + "/task/" + tid + "/stat"), StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    continue; // that thread ended
                }
                // "tid (comm) S ...": the state follows the last ')', comm may hold anything.
                char state = stat.charAt(stat.lastIndexOf(')') + 2);
                if (state == 'Z' || state == 'X') {
                    return Optional.empty();
                }
                if (state != 'T' && state != 't') {
                    return Optional.of(false);
                }
            }
            return Optional.of(true);
        }
    }

    /**
     * Sends signals through one resident shell and its builtin {@code kill}: no process start per
     * signal, so SIGSTOP lands within a fraction of a millisecond of the state it is meant to
     * freeze (a fork of this JVM takes long enough for the backup to move on). The script is fixed;
     * signal names and pids arrive on its standard input.
     */
    static final class Signaller {
        static final Signaller INSTANCE = new Signaller();
        private static final Pattern SIGNAL = Pattern.compile("STOP|CONT|KILL");

        private Process shell;
        private java.io.BufferedWriter in;
        private java.io.BufferedReader out;

        private Signaller() {
        }

        synchronized boolean send(String name, long pid) {
            if (!SIGNAL.matcher(name).matches() || pid < 2) {
                throw new IllegalArgumentException("signal " + name + " to " + pid);
            }
            try {
                if (shell == null || !shell.isAlive()) {
                    ProcessBuilder pb = new ProcessBuilder("sh", "-c",
                            "while read -r sig pid; do kill -s \"$sig\" \"$pid\" 2>/dev/null; echo \"$?\"; done");
                    pb.environment().clear();
                    pb.environment().putAll(Exec.baseEnvironment());
                    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
                    shell = pb.start();
                    in = new java.io.BufferedWriter(new java.io.OutputStreamWriter(shell.getOutputStream(), StandardCharsets.US_ASCII));
                    out = new java.io.BufferedReader(new java.io.InputStreamReader(shell.getInputStream(), StandardCharsets.US_ASCII));
                    Runtime.getRuntime().addShutdownHook(new Thread(shell::destroy, "signaller-stop"));
                }
                in.write(name + " " + pid + "\n");
                in.flush();
                String status = out.readLine();
                if (status == null) {
                    throw new AssertionError("the signalling shell ended");
                }
                return status.trim().equals("0");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot signal " + pid, e);
            }
        }
    }
}
