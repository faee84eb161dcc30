package org.zfsguard.zfs;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.kernel.KernelSeries;
import org.zfsguard.system.SystemRoot;

/**
 * The META file of an OpenZFS source tree ({@code /usr/src/zfs-<v>/META}):
 * which version it is and which kernels it supports. Read from the installed
 * tree, never a built-in table, because distributions patch Linux-Maximum.
 * The one META type: status, the preflight (META inside a zfs-dkms .deb) and the
 * rebuild plan all read it here.
 *
 * @param release null when META has no Release line
 */
public record OpenZfsMeta(String version, String release, KernelSeries linuxMinimum, KernelSeries linuxMaximum) {
    /** META is a few hundred bytes; a larger one is not META. */
    public static final int MAX_BYTES = 64 * 1024;

    private static final Pattern LINE = Pattern.compile("^([A-Za-z][A-Za-z-]*):\\s*(\\S.*?)\\s*$");
    private static final Pattern MAJOR_MINOR = Pattern.compile("^(\\d{1,4})\\.(\\d{1,4})$");
    private static final Pattern VERSION = Pattern.compile("^\\d{1,9}(\\.\\d{1,9}){1,5}$");
    private static final Pattern LEADING_MAJOR_MINOR = Pattern.compile("^(\\d{1,9})\\.(\\d{1,9})");
    private static final Pattern RELEASE = Pattern.compile("^[A-Za-z0-9.+~_-]{1,64}$");

    /** Parses META text, or throws {@link IllegalArgumentException} with a printable reason. */
    public static OpenZfsMeta parse(String text) {
        if (text.length() > MAX_BYTES) {
            throw new IllegalArgumentException("META is larger than " + MAX_BYTES + " bytes");
        }
        Map<String, String> fields = new HashMap<>();
        for (String line : text.split("\n", 200)) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                fields.putIfAbsent(m.group(1), m.group(2));
            }
        }
        String version = fields.get("Version");
        if (version == null || !VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException(version == null ? "no Version line"
                    : "Version is not a version: " + SystemRoot.printable(version));
        }
        String release = fields.get("Release");
        if (release != null && !RELEASE.matcher(release).matches()) {
            throw new IllegalArgumentException("Release is not a release: " + SystemRoot.printable(release));
        }
        String min = fields.get("Linux-Minimum");
        String max = fields.get("Linux-Maximum");
        for (String[] f : new String[][] {{"Linux-Minimum", min}, {"Linux-Maximum", max}}) {
            if (f[1] == null) {
                throw new IllegalArgumentException("no " + f[0] + " line");
            }
            if (!MAJOR_MINOR.matcher(f[1]).matches()) {
                throw new IllegalArgumentException(f[0] + " is not MAJOR.MINOR: " + SystemRoot.printable(f[1]));
            }
        }
        KernelSeries minimum = KernelSeries.of(min).orElseThrow();
        KernelSeries maximum = KernelSeries.of(max).orElseThrow();
        if (minimum.compareTo(maximum) > 0) {
            throw new IllegalArgumentException("Linux-Minimum " + minimum + " is above Linux-Maximum " + maximum);
        }
        return new OpenZfsMeta(version, release, minimum, maximum);
    }

    /** The full module version string ({@code 2.1.11-1}) as kbuild writes it into modinfo. */
    public String fullVersion() {
        return release == null ? version : version + "-" + release;
    }

    /** True when {@code k}'s MAJOR.MINOR lies within Linux-Minimum..Linux-Maximum. */
    public boolean supports(KernelRelease k) {
        return supports(k.series());
    }

    /** True when OpenZFS's configure accepts a kernel of {@code series} (it compares major.minor). */
    public boolean supports(KernelSeries series) {
        return series.compareTo(linuxMinimum) >= 0 && series.compareTo(linuxMaximum) <= 0;
    }

    /**
     * True when a module's {@code version=} belongs to this OpenZFS: equal to Version,
     * or Version followed by a '-' release part (distributions append their own).
     */
    public boolean matchesModuleVersion(String moduleVersion) {
        if (moduleVersion == null) {
            return false;
        }
        return moduleVersion.equals(version) || moduleVersion.startsWith(version + "-");
    }

    /** 2.0 and 2.1 build nine modules; 2.2 and later only zfs and spl. */
    public boolean hasNineModules() {
        return usesNineModules(version);
    }

    public static boolean usesNineModules(String version) {
        if (version == null) {
            return false;
        }
        Matcher m = LEADING_MAJOR_MINOR.matcher(version);
        if (!m.find()) {
            return false;
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        return major == 2 && minor < 2 || major < 2 && major > 0;
    }
}
