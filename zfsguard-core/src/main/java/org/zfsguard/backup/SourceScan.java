package org.zfsguard.backup;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import org.zfsguard.state.RootPaths;
import org.zfsguard.system.SystemRoot;

/**
 * Lists the boot set of a kernel on a system: every directory, file and
 * symlink under its items, without following any symlink (a link such as
 * {@code /lib/modules/K/build} is recorded as a link). Devices, sockets and
 * FIFOs have no place in a boot set and are skipped.
 */
final class SourceScan {
    /** An object found on the system; for a file, {@code entry} has its size but no sha256 yet. */
    record Found(ManifestEntry entry, Path host) {
    }

    private SourceScan() {
    }

    static List<Found> scan(SystemRoot root, String kernel, List<String> skipped) throws IOException {
        List<Found> found = new ArrayList<>();
        for (String item : BootSetLayout.items(root, kernel)) {
            Path host = RootPaths.resolveParents(root, item);
            if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Files.walkFileTree(host, EnumSet.noneOf(java.nio.file.FileVisitOption.class), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                            add(dir, attrs);
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                            add(file, attrs);
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                            if (e instanceof NoSuchFileException) {
                                return FileVisitResult.CONTINUE; // removed while we looked
                            }
                            throw e;
                        }

                        private void add(Path p, BasicFileAttributes basic) throws IOException {
                            String rel = host.relativize(p).toString();
                            String target = rel.isEmpty() ? item : item + "/" + rel;
                            if (!Manifest.isCleanAbsolute(target)) {
                                skipped.add(target);
                                return;
                            }
                            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
                            int mode = ((Integer) a.get("mode")) & 07777;
                            int uid = (Integer) a.get("uid");
                            int gid = (Integer) a.get("gid");
                            if (basic.isSymbolicLink()) {
                                found.add(new Found(ManifestEntry.symlink(target, uid, gid,
                                        Files.readSymbolicLink(p).toString()), p));
                            } else if (basic.isDirectory()) {
                                found.add(new Found(ManifestEntry.dir(target, mode, uid, gid), p));
                            } else if (basic.isRegularFile()) {
                                found.add(new Found(ManifestEntry.file(target, mode, uid, gid, basic.size(), null), p));
                            } else {
                                skipped.add(target);
                            }
                        }
                    });
        }
        return found;
    }

}
