package org.zfsguard.dpkg;

import org.zfsguard.io.BoundedLines;
import org.zfsguard.io.RegularFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;

import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.kernel.RootFiles;

/**
 * Which package owns each kernel, read from dpkg's file lists directly (a
 * {@code dpkg -S} process costs more than the whole status command). Only
 * kernel packages' lists are read: {@code linux-image-*} owns the image on
 * Debian and Armbian, {@code linux-modules-*} the module tree on Ubuntu.
 */
public final class PackageOwners {
    private static final String INFO = "/var/lib/dpkg/info";
    private static final int MAX_LINE = 4096;

    private final Map<String, String> ownerByRelease;
    private final Set<String> unpacked;

    private PackageOwners(Map<String, String> ownerByRelease, Set<String> unpacked) {
        this.ownerByRelease = ownerByRelease;
        this.unpacked = unpacked;
    }

    public static PackageOwners read(RootFiles files) {
        Map<String, String> owners = new HashMap<>();
        Set<String> unpacked = new HashSet<>();
        try {
            List<String> names = files.list(INFO);
            Path dir = files.resolve(INFO);
            for (String n : names) {
                String pkg = n.endsWith(".list") ? packageName(n) : null;
                if (pkg == null) {
                    continue;
                }
                unpacked.add(pkg);
                if (!(n.startsWith("linux-image") || n.startsWith("linux-modules"))) {
                    continue;
                }
                Path list = dir.resolve(n);
                if (!Files.isRegularFile(list, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                scan(list, pkg, owners);
            }
        } catch (IOException | RuntimeException e) {
            // Ownership is a nicety for the report; a broken dpkg database must not stop the readiness check.
        }
        return new PackageOwners(owners, unpacked);
    }

    private static void scan(Path list, String pkg, Map<String, String> owners) throws IOException {
        try (BoundedLines r = new BoundedLines(RegularFile.open(list), MAX_LINE)) {
            String line;
            while ((line = r.next()) != null) {
                String k = releaseOf(line);
                if (k != null && KernelRelease.isValid(k)) {
                    // The image owner wins over a modules-only package for the same release.
                    if (line.startsWith("/boot/")) {
                        owners.put(k, pkg);
                    } else {
                        owners.putIfAbsent(k, pkg);
                    }
                }
            }
        }
    }

    public static String releaseOf(String line) {
        for (String prefix : new String[] {"/boot/vmlinuz-", "/lib/modules/", "/usr/lib/modules/"}) {
            if (line.startsWith(prefix)) {
                String rest = line.substring(prefix.length());
                return rest.indexOf('/') < 0 ? rest : null;
            }
        }
        return null;
    }

    static String packageName(String listFile) {
        String base = listFile.substring(0, listFile.length() - ".list".length());
        int colon = base.indexOf(':');
        String name = colon < 0 ? base : base.substring(0, colon);
        // Debian policy's package name syntax, checked by hand: this runs for every list in the database.
        if (name.length() < 2) {
            return null;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '+' || c == '.' || c == '-'));
            if (!ok) {
                return null;
            }
        }
        return name;
    }

    /** The package that installed {@code release}, or null. */
    public String ownerOf(KernelRelease release) {
        return ownerByRelease.get(release.text());
    }

    /** True when dpkg has a file list for {@code pkg} (any architecture): it is unpacked, not just remembered. */
    public boolean isUnpacked(String pkg) {
        return unpacked.contains(pkg);
    }
}
