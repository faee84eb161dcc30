package org.zfsguard.dpkg;

import org.zfsguard.io.BoundedLines;
import org.zfsguard.io.RegularFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.zfsguard.system.SystemRoot;

/**
 * Installed package versions from {@code /var/lib/dpkg/status}, read directly
 * (no dpkg process). Only fully installed packages count; a damaged or huge
 * file yields what could be read before the problem.
 */
public final class InstalledVersions {
    private static final String STATUS = "/var/lib/dpkg/status";
    private static final int MAX_LINE = 64 * 1024;

    private final Map<String, String> versions;

    private InstalledVersions(Map<String, String> versions) {
        this.versions = versions;
    }

    public static InstalledVersions read(SystemRoot root) {
        Map<String, String> out = new HashMap<>();
        try {
            Path status = root.resolveAll(STATUS);
            if (!Files.isRegularFile(status, LinkOption.NOFOLLOW_LINKS)) {
                return new InstalledVersions(out);
            }
            try (InputStream in = RegularFile.open(status)) {
                parse(in, out);
            }
        } catch (IOException | RuntimeException e) {
            // What was read so far is still right; the preflight treats the rest as not installed.
        }
        return new InstalledVersions(out);
    }

    /** Every fully installed package and its version. */
    public Map<String, String> all() {
        return java.util.Collections.unmodifiableMap(versions);
    }

    /** Reads dpkg's status stanzas from {@code in} into {@code out} (package to version, installed ones only). */
    public static void parse(InputStream in, Map<String, String> out) throws IOException {
        BoundedLines r = new BoundedLines(in, MAX_LINE);
        String pkg = null;
        String version = null;
        boolean installed = false;
        for (String line; (line = r.next()) != null; ) {
            if (line.isEmpty()) {
                if (pkg != null && version != null && installed) {
                    out.put(pkg, version);
                }
                pkg = null;
                version = null;
                installed = false;
            } else if (line.startsWith("Package: ")) {
                pkg = line.substring(9).strip();
            } else if (line.startsWith("Version: ")) {
                version = line.substring(9).strip();
            } else if (line.startsWith("Status: ")) {
                installed = line.endsWith(" installed");
            }
        }
        if (pkg != null && version != null && installed) {
            out.put(pkg, version);
        }
    }

    public Optional<String> version(String pkg) {
        return Optional.ofNullable(versions.get(pkg));
    }
}
