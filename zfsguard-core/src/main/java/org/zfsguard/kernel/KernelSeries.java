package org.zfsguard.kernel;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The major.minor of a kernel: what OpenZFS's Linux-Minimum and Linux-Maximum
 * name, and what the preflight and the rebuild plan compare with them.
 */
public record KernelSeries(int major, int minor) implements Comparable<KernelSeries> {
    private static final Pattern LEADING = Pattern.compile("([0-9]{1,4})\\.([0-9]{1,4})(?:[^0-9].*)?");

    public KernelSeries {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("negative kernel series " + major + "." + minor);
        }
    }

    /** The series a release or version string starts with: "6.12" from "6.12.58-current-rockchip64". */
    public static Optional<KernelSeries> of(String releaseOrVersion) {
        if (releaseOrVersion == null) {
            return Optional.empty();
        }
        Matcher m = LEADING.matcher(releaseOrVersion);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new KernelSeries(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
    }

    @Override
    public int compareTo(KernelSeries o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
