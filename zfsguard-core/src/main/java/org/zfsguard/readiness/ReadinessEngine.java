package org.zfsguard.readiness;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

import org.zfsguard.dkms.DkmsTree;
import org.zfsguard.dpkg.PackageOwners;
import org.zfsguard.initramfs.InitramfsReadException;
import org.zfsguard.io.DecoderUnavailableException;
import org.zfsguard.initramfs.InitramfsReader;
import org.zfsguard.initramfs.InitramfsScan;
import org.zfsguard.kernel.InstalledKernel;
import org.zfsguard.kernel.KernelInventory;
import org.zfsguard.kernel.KernelArch;
import org.zfsguard.kernel.KernelHeaders;
import org.zfsguard.message.NextStep;
import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.kernel.NextBoot;
import org.zfsguard.kernel.RootFiles;
import org.zfsguard.kernel.RunningKernel;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.zfs.ModuleInfo;
import org.zfsguard.zfs.ModuleReadException;
import org.zfsguard.zfs.OpenZfsMeta;
import org.zfsguard.zfs.OpenZfsSources;
import org.zfsguard.zfs.ZfsModules;

/**
 * Reads a system root and judges every kernel (the imperative shell around
 * {@link Verdicts}). Nothing here throws for bad content: every problem ends
 * up as an UNKNOWN verdict or a rejected entry with its reason.
 */
public final class ReadinessEngine {
    private static final List<String> ZFS_PACKAGES = List.of("zfs-dkms", "zfsutils-linux", "zfs-initramfs", "zfs-dracut");

    private final RootFiles files;
    private final RunningKernel runningOverride;
    private InitramfsCache cache;

    public ReadinessEngine(SystemRoot root) {
        this(root, null);
    }

    /** With a fixed running kernel: tests cannot make a temporary directory be the host. */
    ReadinessEngine(SystemRoot root, RunningKernel runningOverride) {
        this.files = new RootFiles(root);
        this.runningOverride = runningOverride;
    }

    public ReadinessReport evaluate() {
        PackageOwners dpkg = PackageOwners.read(files);
        KernelInventory inventory = KernelInventory.scan(files, dpkg);
        RunningKernel running = runningOverride != null ? runningOverride : RunningKernel.detect(files);
        NextBoot next = NextBoot.decide(files, inventory);
        OpenZfsSources openzfs = OpenZfsSources.read(files);
        DkmsTree dkms = DkmsTree.read(files);
        cache = InitramfsCache.load(files);

        TreeSet<KernelRelease> releases = new TreeSet<>(Comparator.reverseOrder());
        for (InstalledKernel k : inventory.kernels()) {
            releases.add(k.release());
        }
        if (running.release() != null) {
            releases.add(running.release());
        }
        if (next.release() != null) {
            releases.add(next.release());
        }

        Map<KernelRelease, KernelFacts> facts = new HashMap<>();
        boolean anyModule = false;
        for (KernelRelease k : releases) {
            InstalledKernel installed = inventory.find(k);
            if (installed == null && inventory.modulesProblem() != null) {
                // named by the running kernel or the boot loader; whether it is installed cannot be told
                installed = new InstalledKernel(k, null, null, null, KernelInventory.MODULES + ": " + inventory.modulesProblem());
            }
            KernelFacts f = moduleFacts(k, installed, openzfs, dkms);
            anyModule |= f.zfs() != null;
            facts.put(k, f);
        }

        boolean zfsInstalled = anyModule || openzfs.present() || dkms.present();
        for (String pkg : ZFS_PACKAGES) {
            zfsInstalled |= dpkg.isUnpacked(pkg);
        }

        Map<KernelRelease, InitramfsFacts> initrdCache = new HashMap<>();
        String initramfsReason;
        boolean initramfsRequired;
        if (dpkg.isUnpacked("zfs-initramfs")) {
            initramfsRequired = true;
            initramfsReason = "zfs-initramfs is installed";
        } else if (dpkg.isUnpacked("zfs-dracut")) {
            initramfsRequired = true;
            initramfsReason = "zfs-dracut is installed";
        } else {
            KernelRelease ref = running.release() != null && facts.get(running.release()).installed() != null
                    ? running.release() : next.release();
            InitramfsFacts refFacts = ref == null || !zfsInstalled ? null : initramfs(ref);
            if (refFacts != null) {
                initrdCache.put(ref, refFacts);
            }
            // An initramfs that cannot be read says nothing about whether ZFS loads from it:
            // check every kernel's then, so that each verdict can say "cannot tell".
            boolean unreadable = refFacts != null && refFacts.state() == InitramfsFacts.State.UNREADABLE;
            initramfsRequired = refFacts != null && (refFacts.state() == InitramfsFacts.State.PRESENT || unreadable);
            initramfsReason = unreadable ? "cannot tell whether ZFS loads from the initramfs: the initramfs of " + ref
                    + " cannot be read (" + refFacts.detail() + ")"
                    : initramfsRequired ? "the initramfs of " + ref + " contains zfs.ko"
                    : "no ZFS initramfs package, and " + (ref == null ? "no kernel to look at"
                            : "the initramfs of " + ref + " has no zfs.ko");
        }

        Map<KernelRelease, Judgement> first = new HashMap<>();
        List<KernelRelease> toScan = new ArrayList<>();
        for (KernelRelease k : releases) {
            Judgement j = Verdicts.decide(facts.get(k), openzfs, initramfsRequired);
            first.put(k, j);
            if (initramfsRequired && j.verdict() == Verdict.OK && !initrdCache.containsKey(k)) {
                toScan.add(k);
            }
        }
        initrdCache.putAll(scanAll(toScan));

        List<KernelReadiness> rows = new ArrayList<>();
        KernelReadiness nextRow = null;
        for (KernelRelease k : releases) {
            KernelFacts f = facts.get(k);
            Judgement j = first.get(k);
            if (initramfsRequired && j.verdict() == Verdict.OK) {
                f = f.withInitramfs(initrdCache.get(k));
                j = Verdicts.decide(f, openzfs, true);
            } else {
                f = f.withInitramfs(InitramfsFacts.of(initramfsRequired ? InitramfsFacts.State.NOT_CHECKED
                        : InitramfsFacts.State.NOT_USED));
            }
            boolean isRunning = k.equals(running.release());
            if (isRunning && f.installed() == null) {
                j = new Judgement(Verdict.MISSING, "running kernel, but /lib/modules/" + k
                        + " is gone (an upgrade replaced it in place): no module can be loaded until the next boot", null);
            }
            j = headersFirst(f, j);
            KernelReadiness row = new KernelReadiness(f, isRunning, k.equals(next.release()), j);
            if (row.nextBoot()) {
                nextRow = row;
            }
            rows.add(row);
        }

        cache.save(files);

        ReadinessReport.Overall overall;
        String reason;
        if (!zfsInstalled && inventory.modulesProblem() != null) {
            overall = ReadinessReport.Overall.UNKNOWN;
            reason = "cannot read " + KernelInventory.MODULES + ": " + inventory.modulesProblem();
        } else if (!zfsInstalled) {
            overall = ReadinessReport.Overall.NO_ZFS;
            reason = "ZFS is not installed on this system";
        } else if (nextRow == null) {
            overall = ReadinessReport.Overall.UNKNOWN;
            reason = NextBoot.Rule.NONE.label + ": " + next.detail();
        } else if (nextRow.verdict() == Verdict.OK) {
            overall = ReadinessReport.Overall.SAFE;
            reason = "next boot kernel " + nextRow.facts().release() + " has a working ZFS module";
        } else if (nextRow.verdict() == Verdict.UNKNOWN) {
            overall = ReadinessReport.Overall.UNKNOWN;
            reason = "next boot kernel " + nextRow.facts().release() + ": " + nextRow.judgement().reason();
        } else {
            overall = ReadinessReport.Overall.NOT_SAFE;
            reason = "next boot kernel " + nextRow.facts().release() + " is " + nextRow.verdict().label + ": "
                    + nextRow.judgement().reason();
        }
        return new ReadinessReport(files.root().toString(), zfsInstalled, openzfs, running, next, initramfsRequired,
                initramfsReason, rows, inventory.rejected(), overall, reason);
    }

    /**
     * Initramfs images are the slow part (each is decompressed up to zfs.ko): read them on
     * several threads, since boards have 4 to 8 cores and nothing else is running.
     */
    private Map<KernelRelease, InitramfsFacts> scanAll(List<KernelRelease> wanted) {
        Map<KernelRelease, InitramfsFacts> out = new HashMap<>();
        List<KernelRelease> kernels = new ArrayList<>();
        for (KernelRelease k : wanted) {
            InitramfsFacts cached = cachedInitramfs(k);
            if (cached != null) {
                out.put(k, cached);
            } else {
                kernels.add(k);
            }
        }
        int threads = Math.min(kernels.size(), Math.min(4, Runtime.getRuntime().availableProcessors()));
        if (threads <= 1) {
            for (KernelRelease k : kernels) {
                out.put(k, initramfs(k));
            }
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, new ThreadFactory() {
            @Override
            public Thread newThread(Runnable r) {
                Thread t = new Thread(r, "initramfs");
                t.setDaemon(true);
                return t;
            }
        });
        try {
            Map<KernelRelease, Future<InitramfsFacts>> futures = new HashMap<>();
            for (KernelRelease k : kernels) {
                futures.put(k, pool.submit(new Callable<InitramfsFacts>() {
                    @Override
                    public InitramfsFacts call() {
                        return initramfs(k);
                    }
                }));
            }
            for (KernelRelease k : kernels) {
                try {
                    out.put(k, futures.get(k).get());
                } catch (ExecutionException e) {
                    out.put(k, new InitramfsFacts(InitramfsFacts.State.UNREADABLE, null, null, null, null,
                            SystemRoot.printable(String.valueOf(e.getCause()))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    out.put(k, new InitramfsFacts(InitramfsFacts.State.UNREADABLE, null, null, null, null, "interrupted"));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return out;
    }

    private KernelFacts moduleFacts(KernelRelease k, InstalledKernel installed, OpenZfsSources openzfs, DkmsTree dkms) {
        ModuleFacts zfs = null;
        ModuleFacts spl = null;
        List<String> missing = List.of();
        if (installed != null && installed.modulesDir() != null) {
            Map<String, ZfsModules.Found> found = ZfsModules.find(files, k);
            zfs = found.containsKey("zfs") ? read(found.get("zfs")) : null;
            spl = found.containsKey("spl") ? read(found.get("spl")) : null;
            if (zfs != null) {
                OpenZfsMeta meta = openzfs.meta();
                boolean nine = meta != null ? meta.hasNineModules() : OpenZfsMeta.usesNineModules(zfs.version());
                missing = ZfsModules.missing(found, nine);
            }
        }
        String arch = zfs != null || spl != null ? KernelArch.of(files, k) : null;
        return new KernelFacts(k, installed, zfs, spl, missing, dkms.installedFor(k), dkms.builtFor(k), null, arch);
    }

    private ModuleFacts read(ZfsModules.Found found) {
        try {
            ModuleInfo m = ZfsModules.read(files, found);
            return new ModuleFacts(found.path(), m.vermagicRelease() == null ? null : SystemRoot.printable(m.vermagicRelease()),
                    printableOrNull(m.version()), printableOrNull(m.srcversion()), m.architecture(), null);
        } catch (ModuleReadException e) {
            return new ModuleFacts(found.path(), null, null, null, null, SystemRoot.printable(String.valueOf(e.getMessage())));
        }
    }

    /** The cached facts of {@code k}'s image when its identity is unchanged, else null. */
    private InitramfsFacts cachedInitramfs(KernelRelease k) {
        try {
            for (String candidate : new String[] {"/boot/uInitrd-" + k, "/boot/initrd.img-" + k}) {
                if (files.exists(candidate)) {
                    return cache.get(InitramfsCache.identity(k, candidate, files.resolve(candidate)));
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    private InitramfsFacts initramfs(KernelRelease k) {
        String file = null;
        try {
            for (String candidate : new String[] {"/boot/uInitrd-" + k, "/boot/initrd.img-" + k}) {
                if (files.exists(candidate)) {
                    file = candidate;
                    break;
                }
            }
            if (file == null) {
                return InitramfsFacts.of(InitramfsFacts.State.NO_FILE);
            }
            Path host = files.resolve(file);
            String identity = InitramfsCache.identity(k, file, host);
            InitramfsFacts cached = cache.get(identity);
            if (cached != null) {
                return cached;
            }
            InitramfsFacts facts = scan(k, file, host);
            cache.put(identity, facts);
            return facts;
        } catch (FileSystemLoopException e) {
            return new InitramfsFacts(InitramfsFacts.State.UNREADABLE, file, null, null, null, "symlink loop");
        } catch (DecoderUnavailableException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            return new InitramfsFacts(InitramfsFacts.State.UNREADABLE, file, null, null, null,
                    SystemRoot.printable(String.valueOf(e.getMessage())));
        }
    }

    private static InitramfsFacts scan(KernelRelease k, String file, Path host) {
        try {
            InitramfsScan scan = InitramfsReader.scan(host, k);
            if (!scan.hasZfs()) {
                return new InitramfsFacts(InitramfsFacts.State.MISSING, file, scan.format(), null, null,
                        scan.otherZfsPaths().isEmpty() ? null : "holds " + String.join(", ", scan.otherZfsPaths()));
            }
            if (scan.zfs() == null) {
                return new InitramfsFacts(InitramfsFacts.State.UNREADABLE, file, scan.format(), null, null, scan.zfsProblem());
            }
            return new InitramfsFacts(InitramfsFacts.State.PRESENT, file, scan.format(),
                    printableOrNull(scan.zfs().vermagicRelease()), printableOrNull(scan.zfs().version()), null);
        } catch (InitramfsReadException e) {
            return new InitramfsFacts(InitramfsFacts.State.UNREADABLE, file, null, null, null, e.getMessage());
        } catch (DecoderUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            return new InitramfsFacts(InitramfsFacts.State.UNREADABLE, file, null, null, null,
                    SystemRoot.printable(String.valueOf(e.getMessage())));
        } catch (OutOfMemoryError | StackOverflowError e) {
            // One kernel's image must not cost the verdicts (and the hook's backups) of the others.
            return new InitramfsFacts(InitramfsFacts.State.UNREADABLE, file, null, null, null,
                    "too large to read (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * {@code rebuild} refuses a kernel without headers: then the step that works is to
     * install them first, named, and rebuild after.
     */
    private Judgement headersFirst(KernelFacts f, Judgement j) {
        NextStep rebuild = NextStep.zfsguardAsRoot("rebuild", "--kernel", f.release().text());
        if (j.next() == null || !j.next().equals(rebuild) || KernelHeaders.present(files.root(), f.release())) {
            return j;
        }
        String owner = f.installed() == null ? null : f.installed().owner();
        return new Judgement(j.verdict(), j.reason() + "; its headers are not installed",
                NextStep.toolAsRoot("apt", "install", KernelHeaders.packageFor(owner, f.release().text())).then(rebuild));
    }

    private static String printableOrNull(String s) {
        return s == null ? null : SystemRoot.printable(s);
    }
}
