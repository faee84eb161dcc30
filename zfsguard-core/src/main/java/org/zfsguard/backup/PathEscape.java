package org.zfsguard.backup;

/**
 * Manifest fields are tab-separated lines, so a path may not hold a tab or a
 * newline as such: those two and {@code %} itself are written {@code %09},
 * {@code %0A} and {@code %25}; every other byte is kept, so ordinary paths read
 * the same in the manifest as on the disk.
 */
final class PathEscape {
    private PathEscape() {
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '%' -> b.append("%25");
                case '\t' -> b.append("%09");
                case '\n' -> b.append("%0A");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** The original string, or null when {@code s} holds any other escape. */
    static String unescape(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%') {
                b.append(c);
                continue;
            }
            if (i + 3 > s.length()) {
                return null;
            }
            switch (s.substring(i, i + 3)) {
                case "%25" -> b.append('%');
                case "%09" -> b.append('\t');
                case "%0A" -> b.append('\n');
                default -> {
                    return null;
                }
            }
            i += 2;
        }
        return b.toString();
    }
}
