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
        for (String m : org.zfsguard.system.MountTable.parse(String.join("\n", mountinfoLines)).mountPoints()) {
            Path mountPoint = Path.of(m).normalize();
            if (mountPoint.startsWith(base)) {
                found.add(mountPoint);
            }
        }
        found.sort(Comparator.comparingInt(Path::getNameCount).reversed().thenComparing(Comparator.reverseOrder()));
        return List.copyOf(found);
    }
}
