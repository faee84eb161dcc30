package org.zfsguard.backup;

import org.zfsguard.io.BoundedLines;
import org.zfsguard.io.RegularFile;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import org.zfsguard.system.SystemRoot;

/**
 * Reads dpkg's file lists, {@code /var/lib/dpkg/info/<package>[:<arch>].list}.
 * On merged-/usr systems a package may list {@code /usr/lib/modules/...} for what
 * a boot set calls {@code /lib/modules/...}, so both spellings are matched.
 */
public final class DpkgOwnership implements PackageOwnership {
    static final String INFO = "/var/lib/dpkg/info";
    private static final int MAX_LINE = 8192;

    private final SystemRoot root;

    public DpkgOwnership(SystemRoot root) {
        this.root = root;
    }

    @Override
    public Map<String, String> owners(Collection<String> paths) throws IOException {
        Map<String, String> wanted = new HashMap<>();
        for (String p : paths) {
            wanted.put(p, p);
            if (p.startsWith("/usr/lib/")) {
                wanted.putIfAbsent(p.substring(4), p);
            } else if (p.startsWith("/lib/") || p.startsWith("/bin/") || p.startsWith("/sbin/")) {
                wanted.putIfAbsent("/usr" + p, p);
            }
        }
        Map<String, String> owners = new TreeMap<>();
        if (wanted.isEmpty()) {
            return owners;
        }
        Path info = root.resolveParents(INFO);
        try (DirectoryStream<Path> lists = Files.newDirectoryStream(info, "*.list")) {
            for (Path list : lists) {
                if (!Files.isRegularFile(list, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                String name = list.getFileName().toString();
                String pkg = name.substring(0, name.length() - ".list".length());
                int colon = pkg.indexOf(':');
                if (colon > 0) {
                    pkg = pkg.substring(0, colon);
                }
                scan(list, pkg, wanted, owners);
            }
        } catch (NoSuchFileException e) {
            return owners;
        }
        return owners;
    }

    private static void scan(Path list, String pkg, Map<String, String> wanted, Map<String, String> owners) throws IOException {
        try (BoundedLines r = new BoundedLines(RegularFile.open(list), MAX_LINE)) {
            for (String line; (line = r.next()) != null;) {
                String ours = wanted.get(line);
                if (ours != null) {
                    owners.putIfAbsent(ours, pkg);
                }
            }
        }
    }
}
