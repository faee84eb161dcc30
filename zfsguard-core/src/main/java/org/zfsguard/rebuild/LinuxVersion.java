package org.zfsguard.rebuild;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Linux major.minor version, the granularity of OpenZFS's META Linux-Minimum/Maximum. */
public record LinuxVersion(int major, int minor) implements Comparable<LinuxVersion> {
    private static final Pattern TEXT = Pattern.compile("([0-9]{1,3})\\.([0-9]{1,3})(?:\\.[0-9]{1,4})?");

    /** Parses {@code 6.12} (a third component is accepted and ignored). */
    public static Optional<LinuxVersion> parse(String text) {
        Matcher m = TEXT.matcher(text.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new LinuxVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
    }

    @Override
    public int compareTo(LinuxVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
