package org.zfsguard.system;

import java.util.ArrayList;
import java.util.List;

/**
 * The mount points of {@code /proc/self/mountinfo} (field 5 of each line,
 * with the kernel's octal escapes for space, tab, newline and backslash
 * decoded). Paths are as the reading process sees them: relative to its root.
 */
public final class MountTable {
    private final List<String> mountPoints;

    private MountTable(List<String> mountPoints) {
        this.mountPoints = mountPoints;
    }

    public static MountTable parse(String mountinfo) {
        List<String> points = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].startsWith("/")) {
                points.add(unescape(f[4]));
            }
        }
        return new MountTable(points);
    }

    /** In the order of the table: parents before what is mounted on them. */
    public List<String> mountPoints() {
        return List.copyOf(mountPoints);
    }

    public boolean isMountPoint(String path) {
        return mountPoints.contains(path);
    }

    /** The mount point {@code path} (absolute, normalised) lies under: the longest that contains it; "/" if none. */
    public String mountPointOf(String path) {
        String best = "/";
        for (String m : mountPoints) {
            boolean contains = m.equals("/") || path.equals(m) || path.startsWith(m + "/");
            if (contains && m.length() > best.length()) {
                best = m;
            }
        }
        return best;
    }

    /** mountinfo writes space, tab, newline and backslash as three-digit octal escapes. */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
