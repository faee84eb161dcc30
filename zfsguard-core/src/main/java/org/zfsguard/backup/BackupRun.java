package org.zfsguard.backup;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.zfsguard.dpkg.PackageOwners;
import org.zfsguard.kernel.KernelInventory;
import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.kernel.NextBoot;
import org.zfsguard.kernel.RootFiles;
import org.zfsguard.kernel.RunningKernel;
import org.zfsguard.system.SystemRoot;

/**
 * One {@code zfsguard backup}: the boot sets of some kernels, then retention,
 * all under one hold of the store lock. Retention never deletes a backup this
 * run made, nor the newest backup of the kernel that boots next (decided by
 * {@link NextBoot}, the rule {@code status} shows) or of the running kernel.
 */
public final class BackupRun {
    /** What the run did: one outcome per kernel, in order, and the backups retention removed. */
    public record Result(List<BackupOutcome> outcomes, List<BackupSet> removed) {
    }

    private final SystemRoot root;
    private final BackupStore store;

    public BackupRun(SystemRoot root, BackupStore store) {
        this.root = root;
        this.store = store;
    }

    /** Backs up each of {@code kernels}, then applies retention keeping {@code keepKernels} kernels. */
    public Result run(List<String> kernels, long reserveBytes, int keepKernels) throws IOException {
        for (String k : kernels) {
            KernelRelease.require(k);
        }
        return store.locked(() -> {
            List<BackupOutcome> outcomes = new ArrayList<>();
            Set<String> made = new LinkedHashSet<>();
            for (String k : kernels) {
                BackupOutcome o = store.backup(k, reserveBytes);
                if (o instanceof BackupOutcome.Created c) {
                    made.add(c.set().id());
                }
                outcomes.add(o);
            }
            List<BackupSet> removed = store.applyRetention(keepKernels, protectedKernels(root), made);
            return new Result(outcomes, removed);
        });
    }

    /**
     * Kernels whose newest backup retention keeps whatever keep_kernels says:
     * the one that boots next ({@link NextBoot}: /boot/Image, /boot/uInitrd,
     * GRUB, the vmlinuz links) and the running one. When the boot loader cannot
     * be read, any installed kernel may boot next, so every one is protected.
     */
    public static Set<String> protectedKernels(SystemRoot root) {
        RootFiles files = new RootFiles(root);
        Set<String> kernels = new LinkedHashSet<>();
        KernelInventory inventory = KernelInventory.scan(files, PackageOwners.read(files));
        NextBoot next = NextBoot.decide(files, inventory);
        if (next.release() != null) {
            kernels.add(next.release().text());
        } else {
            inventory.kernels().forEach(k -> kernels.add(k.release().text()));
        }
        RunningKernel running = RunningKernel.detect(files);
        if (running.release() != null) {
            kernels.add(running.release().text());
        }
        return kernels;
    }

    /** Directories of /lib/modules named like a kernel release, sorted. */
    public static List<String> installedKernels(SystemRoot root) throws IOException {
        List<String> kernels = new ArrayList<>();
        Path modules = root.resolveAll(KernelInventory.MODULES);
        try (DirectoryStream<Path> s = Files.newDirectoryStream(modules)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                if (KernelRelease.isValid(name) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    kernels.add(name);
                }
            }
        } catch (NoSuchFileException e) {
            return kernels;
        }
        kernels.sort(null);
        return kernels;
    }
}
