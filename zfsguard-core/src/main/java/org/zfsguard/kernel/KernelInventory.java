package org.zfsguard.kernel;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.zfsguard.dpkg.PackageOwners;
import org.zfsguard.system.SystemRoot;

/**
 * Every kernel really installed on a system root, from the disk: module trees
 * under {@code /lib/modules} with kernel content, and images
 * {@code /boot/vmlinuz-<k>}. Never from the running kernel.
 */
public record KernelInventory(List<InstalledKernel> kernels, List<RejectedEntry> rejected,
        Map<KernelRelease, InstalledKernel> byRelease, String modulesProblem) {
    public static final String MODULES = "/lib/modules";

    public KernelInventory {
        kernels = List.copyOf(kernels);
        rejected = List.copyOf(rejected);
        // looked up once per kernel: a list search made 20,000 kernel directories quadratic
        Map<KernelRelease, InstalledKernel> index = new java.util.HashMap<>();
        for (InstalledKernel k : kernels) {
            index.putIfAbsent(k.release(), k);
        }
        byRelease = java.util.Collections.unmodifiableMap(index);
    }

    public KernelInventory(List<InstalledKernel> kernels, List<RejectedEntry> rejected) {
        this(kernels, rejected, Map.of(), null);
    }

    /**
     * @param modulesProblem why {@code /lib/modules} itself could not be read (a loop, a file, an error), or null;
     *        then no kernel's module tree is known to be absent
     */
    public KernelInventory(List<InstalledKernel> kernels, List<RejectedEntry> rejected, String modulesProblem) {
        this(kernels, rejected, Map.of(), modulesProblem);
    }

    /** Kernels, highest first. */
    public static KernelInventory scan(RootFiles files, PackageOwners owners) {
        Map<KernelRelease, String> modules = new TreeMap<>();
        Map<KernelRelease, String> images = new TreeMap<>();
        Map<KernelRelease, String> unreadable = new TreeMap<>();
        List<RejectedEntry> rejected = new ArrayList<>();
        List<String> names = List.of();
        String modulesProblem = null;
        try {
            Path top = files.resolve(MODULES);
            if (Files.exists(top, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(top, LinkOption.NOFOLLOW_LINKS)) {
                modulesProblem = "not a directory";
            } else {
                names = files.list(MODULES);
            }
        } catch (FileSystemLoopException e) {
            modulesProblem = "symlink loop";
        } catch (IOException | RuntimeException e) {
            modulesProblem = "cannot list: " + SystemRoot.printable(String.valueOf(e.getMessage()));
        }
        if (modulesProblem != null) {
            rejected.add(new RejectedEntry(MODULES, modulesProblem, false));
        }
        for (String name : names) {
            String path = MODULES + "/" + SystemRoot.printable(name);
            String problem = KernelRelease.problem(name);
            if (problem != null) {
                rejected.add(new RejectedEntry(path, "not a kernel release: " + problem, false));
                continue;
            }
            KernelRelease k = KernelRelease.parse(name);
            String dir = MODULES + "/" + name;
            try {
                Path host = files.resolve(dir);
                if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
                    rejected.add(new RejectedEntry(path, "dangling symlink", false));
                } else if (!Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
                    rejected.add(new RejectedEntry(path, "not a directory", false));
                } else if (hasKernelContent(host)) {
                    modules.put(k, dir);
                } else if (files.isFile("/boot/vmlinuz-" + name)) {
                    modules.put(k, null);
                } else {
                    rejected.add(new RejectedEntry(path, "no kernel here, only " + describe(host)
                            + " (left over from a removed kernel)", true));
                }
            } catch (FileSystemLoopException e) {
                rejected.add(new RejectedEntry(path, "symlink loop", false));
                unreadable.put(k, path + ": symlink loop");
            } catch (IOException | RuntimeException e) {
                String why = "cannot read: " + SystemRoot.printable(String.valueOf(e.getMessage()));
                rejected.add(new RejectedEntry(path, why, false));
                unreadable.put(k, path + ": " + why);
            }
        }
        try {
            for (String name : files.list("/boot")) {
                if (!name.startsWith("vmlinuz-")) {
                    continue;
                }
                String rel = name.substring("vmlinuz-".length());
                String problem = KernelRelease.problem(rel);
                if (problem != null) {
                    rejected.add(new RejectedEntry("/boot/" + SystemRoot.printable(name), "not a kernel release: " + problem, false));
                } else if (files.isFile("/boot/" + name)) {
                    images.put(KernelRelease.parse(rel), "/boot/" + name);
                }
            }
        } catch (IOException e) {
            rejected.add(new RejectedEntry("/boot", "cannot list: " + SystemRoot.printable(String.valueOf(e.getMessage())), false));
        }
        Map<KernelRelease, InstalledKernel> all = new TreeMap<>(Comparator.reverseOrder());
        for (var e : modules.entrySet()) {
            all.put(e.getKey(), new InstalledKernel(e.getKey(), e.getValue(), images.get(e.getKey()), owners.ownerOf(e.getKey())));
        }
        for (var e : images.entrySet()) {
            String problem = modulesProblem != null ? MODULES + ": " + modulesProblem : unreadable.get(e.getKey());
            all.putIfAbsent(e.getKey(), new InstalledKernel(e.getKey(), null, e.getValue(), owners.ownerOf(e.getKey()), problem));
        }
        return new KernelInventory(new ArrayList<>(all.values()), rejected, modulesProblem);
    }

    static boolean hasKernelContent(Path dir) {
        return Files.isRegularFile(dir.resolve("modules.dep"), LinkOption.NOFOLLOW_LINKS)
                || Files.isRegularFile(dir.resolve("modules.order"), LinkOption.NOFOLLOW_LINKS)
                || Files.isDirectory(dir.resolve("kernel"), LinkOption.NOFOLLOW_LINKS);
    }

    private static String describe(Path dir) throws IOException {
        List<String> found = new ArrayList<>();
        try (var s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                found.add(SystemRoot.printable(p.getFileName().toString()));
            }
        }
        found.sort(null);
        if (found.isEmpty()) {
            return "an empty directory";
        }
        return String.join(", ", found.subList(0, Math.min(4, found.size()))) + (found.size() > 4 ? ", ..." : "");
    }

    public InstalledKernel find(KernelRelease release) {
        return byRelease.get(release);
    }

    /** The highest installed release that has a module tree, else the highest with an image, else null. */
    public KernelRelease highest() {
        for (InstalledKernel k : kernels) {
            if (k.modulesDir() != null) {
                return k.release();
            }
        }
        return kernels.isEmpty() ? null : kernels.get(0).release();
    }
}
