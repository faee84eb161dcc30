package org.zfsguard.zfs;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.kernel.RootFiles;
import org.zfsguard.system.SystemRoot;

/**
 * Finds the OpenZFS module files of one kernel in the places depmod searches,
 * in its priority order: {@code updates/} (where DKMS installs), then the
 * kernel's own tree ({@code kernel/zfs}, Ubuntu), then {@code extra/} (a
 * plain {@code make install}, which nests 2.1's modules one level deeper:
 * {@code extra/avl/zavl.ko}).
 */
public final class ZfsModules {
    /** All module names of the 2.0/2.1 layout; 2.2+ has only the first two. */
    public static final List<String> NINE = List.of("zfs", "spl", "icp", "zavl", "zcommon", "zlua", "znvpair", "zunicode", "zzstd");
    static final List<String> DIRS = List.of("updates/dkms", "updates", "kernel/zfs", "kernel/spl", "extra");

    private ZfsModules() {
    }

    /** A module file found for a kernel, or the reason it could not be looked at. */
    public record Found(String name, String path, String problem) {
    }

    /** The first file found for each of {@link #NINE}, keyed by module name. */
    public static Map<String, Found> find(RootFiles files, KernelRelease k) {
        Map<String, Found> out = new LinkedHashMap<>();
        String base = "/lib/modules/" + k.text();
        for (String dir : DIRS) {
            String d = base + "/" + dir;
            try {
                Path host = files.resolve(d);
                if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                if (!Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
                    out.putIfAbsent("zfs", new Found("zfs", d, d + " is not a directory"));
                    continue;
                }
                List<String> subdirs = new ArrayList<>();
                for (String n : files.list(d)) {
                    String mod = ModuleFiles.moduleName(n);
                    if (mod != null && NINE.contains(mod)) {
                        out.putIfAbsent(mod, new Found(mod, d + "/" + n, null));
                    } else if (mod == null && !dir.equals("updates") && Files.isDirectory(host.resolve(n), LinkOption.NOFOLLOW_LINKS)) {
                        subdirs.add(n);
                    }
                }
                for (String sub : subdirs) {
                    for (String n : files.list(d + "/" + sub)) {
                        String mod = ModuleFiles.moduleName(n);
                        if (mod != null && NINE.contains(mod)) {
                            out.putIfAbsent(mod, new Found(mod, d + "/" + sub + "/" + n, null));
                        }
                    }
                }
            } catch (FileSystemLoopException e) {
                out.putIfAbsent("zfs", new Found("zfs", d, "symlink loop at " + d));
            } catch (IOException e) {
                out.putIfAbsent("zfs", new Found("zfs", d, "cannot read " + d + ": " + SystemRoot.printable(String.valueOf(e.getMessage()))));
            }
        }
        return out;
    }

    /** Reads a found module through the root (symlinks resolved inside it). */
    public static ModuleInfo read(RootFiles files, Found f) throws ModuleReadException {
        if (f.problem() != null) {
            throw new ModuleReadException(f.problem());
        }
        Path host;
        try {
            host = files.resolve(f.path());
        } catch (IOException e) {
            throw new ModuleReadException("cannot resolve " + f.path() + ": " + SystemRoot.printable(String.valueOf(e.getMessage())));
        }
        return ModuleFiles.read(host);
    }

    /** Names of the modules a given layout needs that are absent. */
    public static List<String> missing(Map<String, Found> found, boolean nineModules) {
        List<String> need = nineModules ? NINE : NINE.subList(0, 2);
        List<String> out = new ArrayList<>();
        for (String n : need) {
            if (!found.containsKey(n)) {
                out.add(n);
            }
        }
        return out;
    }
}
