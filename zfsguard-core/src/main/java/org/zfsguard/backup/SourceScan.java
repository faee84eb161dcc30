package org.zfsguard.backup;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.zfsguard.system.SystemRoot;

/**
 * Lists the boot set of a kernel on a system: every directory, file and
 * symlink under its items, without following any symlink (a link such as
 * {@code /lib/modules/K/build} is recorded as a link). Devices, sockets and
 * FIFOs have no place in a boot set and are skipped. Directories are listed
 * before their content and names in sorted order, so that the same files give
 * the same manifest whatever order the file system returns them in.
 */
final class SourceScan {
    /** An object found on the system; for a file, {@code entry} has its size but no sha256 yet. */
    record Found(ManifestEntry entry, Path host) {
    }

    private static final int MAX_DEPTH = 64;

    private SourceScan() {
    }

    static List<Found> scan(SystemRoot root, String kernel, List<String> skipped) throws IOException {
        List<Found> found = new ArrayList<>();
        for (String item : BootSetLayout.items(root, kernel)) {
            Path host = root.resolveParents(item);
            visit(host, item, 0, found, skipped);
        }
        return found;
    }

    private static void visit(Path p, String target, int depth, List<Found> found, List<String> skipped) throws IOException {
        Map<String, Object> a;
        try {
            // One lstat for type, size, mode and owner (thousands of modules per kernel).
            a = Files.readAttributes(p, "unix:mode,uid,gid,size,isRegularFile,isDirectory,isSymbolicLink",
                    LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return; // absent, or removed while we looked
        }
        if (!Manifest.isCleanAbsolute(target) || depth > MAX_DEPTH) {
            skipped.add(target);
            return;
        }
        int mode = ((Integer) a.get("mode")) & 07777;
        int uid = (Integer) a.get("uid");
        int gid = (Integer) a.get("gid");
        if ((Boolean) a.get("isSymbolicLink")) {
            found.add(new Found(ManifestEntry.symlink(target, uid, gid, Files.readSymbolicLink(p).toString()), p));
        } else if ((Boolean) a.get("isRegularFile")) {
            found.add(new Found(ManifestEntry.file(target, mode, uid, gid, (Long) a.get("size"), null), p));
        } else if ((Boolean) a.get("isDirectory")) {
            found.add(new Found(ManifestEntry.dir(target, mode, uid, gid), p));
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(p)) {
                for (Path child : s) {
                    names.add(child.getFileName().toString());
                }
            } catch (NoSuchFileException e) {
                return;
            }
            names.sort(null);
            for (String name : names) {
                visit(p.resolve(name), target + "/" + name, depth + 1, found, skipped);
            }
        } else {
            skipped.add(target);
        }
    }
}
