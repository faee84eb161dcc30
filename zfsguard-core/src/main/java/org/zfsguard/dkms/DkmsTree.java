package org.zfsguard.dkms;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.kernel.RootFiles;

/**
 * What {@code dkms status} would say about zfs, read from the tree
 * {@code /var/lib/dkms/zfs} instead of running the slow shell script:
 * {@code <v>/<k>/<arch>/module/} holds a build, the symlink
 * {@code kernel-<k>-<arch>} marks the installed one.
 *
 * @param versions module versions added to DKMS
 * @param built per kernel, the versions built for it
 * @param installed per kernel, the version DKMS installed into its module tree
 */
public record DkmsTree(List<String> versions, Map<String, List<String>> built, Map<String, String> installed) {
    public static final String ZFS = "/var/lib/dkms/zfs";
    private static final Pattern VERSION = Pattern.compile("\\d+(\\.\\d+){1,5}");
    private static final Pattern ARCH = Pattern.compile("[a-z0-9_]{1,32}");

    public static DkmsTree read(RootFiles files) {
        List<String> versions = new ArrayList<>();
        Map<String, List<String>> built = new TreeMap<>();
        Map<String, String> installed = new TreeMap<>();
        try {
            for (String n : files.list(ZFS)) {
                if (n.startsWith("kernel-")) {
                    String target = files.linkTarget(ZFS + "/" + n);
                    String k = kernelOfLink(n);
                    if (target != null && k != null) {
                        String[] parts = target.split("/");
                        if (parts.length >= 3 && VERSION.matcher(parts[0]).matches() && parts[1].equals(k)) {
                            installed.put(k, parts[0]);
                        }
                    }
                } else if (VERSION.matcher(n).matches() && files.isDirectory(ZFS + "/" + n)) {
                    versions.add(n);
                    for (String k : files.list(ZFS + "/" + n)) {
                        if (!KernelRelease.isValid(k)) {
                            continue;
                        }
                        for (String arch : files.list(ZFS + "/" + n + "/" + k)) {
                            if (ARCH.matcher(arch).matches() && hasModule(files, ZFS + "/" + n + "/" + k + "/" + arch + "/module")) {
                                List<String> list = built.get(k);
                                if (list == null) {
                                    list = new ArrayList<>();
                                    built.put(k, list);
                                }
                                list.add(n);
                                break;
                            }
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // A damaged DKMS tree only loses the cross-check; the module files themselves decide the verdict.
        }
        versions.sort(KernelRelease.VERSION_ORDER);
        return new DkmsTree(versions, built, installed);
    }

    private static boolean hasModule(RootFiles files, String dir) throws IOException {
        for (String n : files.list(dir)) {
            if (n.startsWith("zfs.ko")) {
                return true;
            }
        }
        return false;
    }

    /** {@code kernel-6.1.0-56-amd64-x86_64} -> {@code 6.1.0-56-amd64}; null when malformed. */
    static String kernelOfLink(String name) {
        String rest = name.substring("kernel-".length());
        int dash = rest.lastIndexOf('-');
        if (dash <= 0) {
            return null;
        }
        String k = rest.substring(0, dash);
        return KernelRelease.isValid(k) ? k : null;
    }

    public boolean present() {
        return !versions.isEmpty() || !installed.isEmpty();
    }

    public List<String> builtFor(KernelRelease k) {
        return built.getOrDefault(k.text(), List.of());
    }

    public String installedFor(KernelRelease k) {
        return installed.get(k.text());
    }
}
