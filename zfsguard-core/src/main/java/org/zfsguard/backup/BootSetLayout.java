package org.zfsguard.backup;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.zfsguard.system.SystemRoot;
import org.zfsguard.kernel.KernelRelease;

/**
 * What belongs to the boot set of a kernel K: everything needed to boot K again
 * with ZFS after dpkg deleted it. The items are top-level paths; a directory
 * item includes its whole tree (for {@code /lib/modules/K} that includes the
 * DKMS modules in {@code updates/dkms}).
 */
public final class BootSetLayout {
    static final String DKMS = "/var/lib/dkms";
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_+~-][A-Za-z0-9._+~-]{0,127}");

    private BootSetLayout() {
    }

    /** The fixed items of K, whether or not they exist. */
    public static List<String> fixedItems(String kernel) {
        String k = KernelRelease.require(kernel);
        return List.of(
                "/lib/modules/" + k,
                "/boot/vmlinuz-" + k,
                "/boot/config-" + k,
                "/boot/System.map-" + k,
                "/boot/initrd.img-" + k,
                "/boot/uInitrd-" + k,
                "/boot/dtb-" + k,
                "/usr/lib/linux-image-" + k);
    }

    /**
     * The items of K present or possible on {@code root}: the fixed ones plus the
     * DKMS build records {@code /var/lib/dkms/MODULE/VERSION/K} and the
     * "installed" links {@code /var/lib/dkms/MODULE/kernel-K-ARCH}, in an order
     * where a link comes after the directories it points into.
     */
    public static List<String> items(SystemRoot root, String kernel) throws IOException {
        List<String> items = new ArrayList<>(fixedItems(kernel));
        TreeSet<String> builds = new TreeSet<>();
        TreeSet<String> links = new TreeSet<>();
        for (String module : safeChildren(root, DKMS)) {
            Path moduleDir = root.resolveParents(DKMS + "/" + module);
            if (!Files.isDirectory(moduleDir, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            for (String child : safeChildren(root, DKMS + "/" + module)) {
                Path c = moduleDir.resolve(child);
                if (Files.isSymbolicLink(c)) {
                    if (child.startsWith("kernel-" + kernel + "-") && child.length() > ("kernel-" + kernel + "-").length()) {
                        links.add(DKMS + "/" + module + "/" + child);
                    }
                } else if (Files.isDirectory(c, LinkOption.NOFOLLOW_LINKS)
                        && Files.exists(c.resolve(kernel), LinkOption.NOFOLLOW_LINKS)) {
                    builds.add(DKMS + "/" + module + "/" + child + "/" + kernel);
                }
            }
        }
        items.addAll(builds);
        items.addAll(links);
        return items;
    }

    /** The item of K that {@code path} is or lies under, or null when it is no part of K's boot set. */
    public static String itemOf(String kernel, String path) {
        for (String item : fixedItems(kernel)) {
            if (path.equals(item) || path.startsWith(item + "/")) {
                return item;
            }
        }
        if (!path.startsWith(DKMS + "/")) {
            return null;
        }
        String[] parts = path.substring(DKMS.length() + 1).split("/", -1);
        if (parts.length == 2 && isSafe(parts[0]) && isSafe(parts[1])
                && parts[1].startsWith("kernel-" + kernel + "-")
                && parts[1].length() > ("kernel-" + kernel + "-").length()) {
            return path;
        }
        if (parts.length >= 3 && isSafe(parts[0]) && isSafe(parts[1]) && parts[2].equals(kernel)) {
            return DKMS + "/" + parts[0] + "/" + parts[1] + "/" + kernel;
        }
        return null;
    }

    static boolean isSafe(String name) {
        Matcher m = SAFE_NAME.matcher(name);
        return m.matches() && !name.contains("..");
    }

    private static List<String> safeChildren(SystemRoot root, String dir) throws IOException {
        List<String> names = new ArrayList<>();
        Path host = root.resolveParents(dir);
        if (!Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
            return names;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(host)) {
            for (Path p : s) {
                String n = p.getFileName().toString();
                if (isSafe(n)) {
                    names.add(n);
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return names;
        }
        names.sort(null);
        return names;
    }
}
