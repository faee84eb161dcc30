package org.zfsguard.apt;

import java.util.regex.Pattern;

/** Syntax checks for the Debian identifiers that reach zfsguard from apt, dpkg and .deb files. */
public final class PackageNames {
    /** Debian policy 5.6.1: lowercase letters, digits, + - . ; at least two characters, alphanumeric first. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
    /** Debian policy 5.6.12: [epoch:]upstream[-revision], from a bounded alphabet. */
    private static final Pattern VERSION = Pattern.compile("([0-9]+:)?[A-Za-z0-9.+~-][A-Za-z0-9.+~:-]*");
    private static final Pattern ARCHITECTURE = Pattern.compile("[a-z0-9][a-z0-9-]*");

    /** Longest name dpkg-deb will build is far below this; a longer one is not a package. */
    static final int MAX_NAME = 128;
    static final int MAX_VERSION = 128;

    private PackageNames() {
    }

    public static boolean isValidName(String s) {
        return s != null && s.length() <= MAX_NAME && NAME.matcher(s).matches();
    }

    public static boolean isValidVersion(String s) {
        return s != null && s.length() <= MAX_VERSION && VERSION.matcher(s).matches();
    }

    public static boolean isValidArchitecture(String s) {
        return s != null && s.length() <= 32 && ARCHITECTURE.matcher(s).matches();
    }
}
