package org.zfsguard.dpkg;


import java.io.IOException;
import java.io.InputStream;
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
    private final Map<String, String> versions;

    private InstalledVersions(Map<String, String> versions) {
        this.versions = versions;
    }

    public static InstalledVersions read(SystemRoot root) {
        Map<String, String> out = new HashMap<>();
        DpkgStatus.read(root, e -> keep(e, out));
        return new InstalledVersions(out);
    }

    /** Every fully installed package and its version. */
    public Map<String, String> all() {
        return java.util.Collections.unmodifiableMap(versions);
    }

    /** Reads dpkg's status stanzas from {@code in} into {@code out} (package to version, installed ones only). */
    public static void parse(InputStream in, Map<String, String> out) throws IOException {
        DpkgStatus.parse(in, e -> keep(e, out));
    }

    private static void keep(DpkgStatus.Entry e, Map<String, String> out) {
        if (e.installed() && e.version() != null) {
            out.put(e.packageName(), e.version());
        }
    }

    public Optional<String> version(String pkg) {
        return Optional.ofNullable(versions.get(pkg));
    }
}
