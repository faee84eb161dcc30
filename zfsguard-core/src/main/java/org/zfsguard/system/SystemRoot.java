package org.zfsguard.system;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The file system zfsguard acts on: {@code /} on a live board, a mount point
 * for image builds and chroots, a temporary directory in tests.
 *
 * <p>Every absolute path the program touches goes through {@link #resolve}, so
 * that no code can reach the host by accident. Symlinks are resolved the way
 * the target system would see them (an absolute link target is taken relative
 * to this root), never by the host's kernel.
 */
public final class SystemRoot {
    private static final int MAX_LINK_HOPS = 40;

    private final Path root;

    private SystemRoot(Path root) {
        this.root = root;
    }

    /** A root at {@code dir}, which must be an existing directory. */
    public static SystemRoot at(Path dir) {
        Objects.requireNonNull(dir, "dir");
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(abs)) {
            throw new IllegalArgumentException("system root " + abs + " is not a directory");
        }
        return new SystemRoot(abs);
    }

    public static SystemRoot host() {
        return new SystemRoot(Path.of("/"));
    }

    public Path path() {
        return root;
    }

    /** True when this root is the running system, so facts like the running kernel apply. */
    public boolean isHost() {
        return root.getNameCount() == 0;
    }

    /**
     * The host path of {@code absolute} (a path as the target system names it, such as
     * {@code /lib/modules}). Rejects paths that would climb out of the root.
     */
    public Path resolve(String absolute) {
        Objects.requireNonNull(absolute, "absolute");
        if (!absolute.startsWith("/")) {
            throw new IllegalArgumentException("not an absolute path: " + printable(absolute));
        }
        Path rel = Path.of(absolute.substring(1)).normalize();
        if (rel.startsWith("..")) {
            throw new IllegalArgumentException("path escapes the system root: " + printable(absolute));
        }
        return root.resolve(rel);
    }

    /** The path as the target system names it, for messages and manifests. */
    public String targetName(Path hostPath) {
        Path rel = root.relativize(hostPath.toAbsolutePath().normalize());
        if (rel.startsWith("..")) {
            throw new IllegalArgumentException("path is outside the system root: " + hostPath);
        }
        return "/" + rel.toString();
    }

    /**
     * Follows symlinks of {@code absolute} within this root, as the target system
     * would, and returns the host path of what it finally names. Gives up on loops.
     */
    public Path resolveFollowingLinks(String absolute) throws java.io.IOException {
        Path current = resolve(absolute);
        for (int hop = 0; hop < MAX_LINK_HOPS; hop++) {
            if (!Files.isSymbolicLink(current)) {
                return current;
            }
            String target = Files.readSymbolicLink(current).toString();
            String next = target.startsWith("/")
                    ? target
                    : targetName(current.getParent()) + "/" + target;
            current = resolve(normalizeTarget(next));
        }
        throw new java.nio.file.FileSystemLoopException(targetName(resolve(absolute)));
    }

    /** True when {@code hostPath} exists as a regular file without following a final symlink. */
    public static boolean isPlainFile(Path hostPath) {
        return Files.isRegularFile(hostPath, LinkOption.NOFOLLOW_LINKS);
    }

    private static String normalizeTarget(String path) {
        // Path.normalize keeps leading ".." on a rooted path out; clamp at "/" as the kernel does.
        Path p = Path.of(path).normalize();
        String s = p.toString();
        while (s.startsWith("/..")) {
            s = s.substring(3);
        }
        return s.isEmpty() ? "/" : s;
    }

    /** A string safe to print in one line of a message. */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().limit(200).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        if (s.length() > 200) {
            b.append("...");
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
