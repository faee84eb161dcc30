package org.zfsguard.deb;

import java.util.Optional;

/**
 * The facts of an OpenZFS source tree's META file ({@code /usr/src/zfs-<v>/META}):
 * {@code Version: 2.4.0}, {@code Release: 1}, {@code Linux-Minimum: 4.18},
 * {@code Linux-Maximum: 6.18}. Deliberately small; the readiness engine reads the
 * installed META with its own type, to be reconciled with this one.
 */
public record ZfsSourceMeta(String version, String release, KernelSeries linuxMinimum, KernelSeries linuxMaximum) {

    /** True when OpenZFS's configure accepts a kernel of {@code series} (it compares major.minor). */
    public boolean supports(KernelSeries series) {
        return series.compareTo(linuxMinimum) >= 0 && series.compareTo(linuxMaximum) <= 0;
    }

    /** Parses META text; the message of the exception says what is missing or malformed. */
    public static ZfsSourceMeta parse(String text) throws IllegalArgumentException {
        String version = null;
        String release = null;
        String min = null;
        String max = null;
        for (String raw : text.split("\n", -1)) {
            int colon = raw.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String key = raw.substring(0, colon).strip();
            String value = raw.substring(colon + 1).strip();
            switch (key) {
                case "Version" -> version = value;
                case "Release" -> release = value;
                case "Linux-Minimum" -> min = value;
                case "Linux-Maximum" -> max = value;
                default -> {
                    // other META keys (Name, Branch, License, ...) are not needed
                }
            }
        }
        if (version == null || !version.matches("[0-9][A-Za-z0-9.+~-]{0,63}")) {
            throw new IllegalArgumentException("META has no valid Version line");
        }
        if (release == null) {
            release = "";
        } else if (!release.matches("[A-Za-z0-9.+~_-]{0,64}")) {
            throw new IllegalArgumentException("META has a malformed Release line");
        }
        KernelSeries minimum = series(min, "Linux-Minimum");
        KernelSeries maximum = series(max, "Linux-Maximum");
        if (minimum.compareTo(maximum) > 0) {
            throw new IllegalArgumentException("META Linux-Minimum " + minimum + " is above Linux-Maximum " + maximum);
        }
        return new ZfsSourceMeta(version, release, minimum, maximum);
    }

    private static KernelSeries series(String value, String key) {
        if (value == null) {
            throw new IllegalArgumentException("META has no " + key + " line");
        }
        Optional<KernelSeries> s = value.matches("[0-9]{1,4}\\.[0-9]{1,4}") ? KernelSeries.of(value) : Optional.empty();
        return s.orElseThrow(() -> new IllegalArgumentException("META " + key + " '" 
                + org.zfsguard.system.SystemRoot.printable(value) + "' is not major.minor"));
    }
}
