package org.zfsguard.deb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Mount points read from /proc/self/mountinfo, so that nothing is deleted while still mounted. */
final class MountTable {

    private MountTable() {
    }

    /** Mount points at or below {@code dir}, deepest first (the order to unmount them in). */
    static List<Path> mountsUnder(Path dir) {
        try {
            return mountsUnder(dir, Files.readAllLines(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
    }

    static List<Path> mountsUnder(Path dir, List<String> mountinfoLines) {
        Path base = dir.toAbsolutePath().normalize();
        List<Path> found = new ArrayList<>();
        for (String line : mountinfoLines) {
            String[] fields = line.split(" ");
            if (fields.length < 5) {
                continue;
            }
            Path mountPoint = Path.of(unescape(fields[4])).normalize();
            if (mountPoint.startsWith(base)) {
                found.add(mountPoint);
            }
        }
        found.sort(Comparator.comparingInt(Path::getNameCount).reversed().thenComparing(Comparator.reverseOrder()));
        return List.copyOf(found);
    }

    /** mountinfo writes space, tab, newline and backslash as three-digit octal escapes. */
    static String unescape(String field) {
        StringBuilder sb = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                sb.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
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
