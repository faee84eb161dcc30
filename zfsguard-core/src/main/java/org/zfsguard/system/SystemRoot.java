package org.zfsguard.system;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * The file system zfsguard acts on: {@code /} on a live board, a mount point
 * for image builds and chroots, a temporary directory in tests.
 *
 * <p>Every absolute path the program touches goes through {@link #resolve} (a
 * path that must not climb out) or {@link #resolveAll} (symlinks followed the way
 * the target system would see them, never by the host's kernel), so that no
 * code can reach the host by accident.
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
     * The host path of {@code absolute} with every symlink on the way resolved
     * inside this root, one component at a time, the way the target system would
     * see it: an absolute link target means this root's {@code /}, and {@code ..}
     * stops at it. Asking the host to open {@code ROOT/lib/modules} directly would
     * follow a merged-/usr {@code /lib -> /usr/lib} link out of the root.
     * A missing component is fine (the result does not exist); a loop throws.
     */
    public Path resolveAll(String absolute) throws IOException {
        return resolve(walk(absolute, true));
    }

    /** Like {@link #resolveAll}, but a symlink in the last component is returned as the link itself. */
    public Path resolveParents(String absolute) throws IOException {
        return resolve(walk(absolute, false));
    }

    private String walk(String absolute, boolean followLast) throws IOException {
        if (!absolute.startsWith("/") || absolute.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not an absolute path: " + printable(absolute));
        }
        Deque<String> todo = new ArrayDeque<>();
        for (String c : absolute.split("/")) {
            if (!c.isEmpty()) {
                todo.addLast(c);
            }
        }
        String current = "";
        int hops = 0;
        while (!todo.isEmpty()) {
            String c = todo.removeFirst();
            if (c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                int slash = current.lastIndexOf('/');
                current = slash <= 0 ? "" : current.substring(0, slash);
                continue;
            }
            String next = current + "/" + c;
            Path host = resolve(next);
            if ((!todo.isEmpty() || followLast) && Files.isSymbolicLink(host)) {
                if (++hops > MAX_LINK_HOPS) {
                    throw new FileSystemLoopException(printable(absolute));
                }
                String target = Files.readSymbolicLink(host).toString();
                String[] parts = target.split("/");
                for (int i = parts.length - 1; i >= 0; i--) {
                    if (!parts[i].isEmpty()) {
                        todo.addFirst(parts[i]);
                    }
                }
                if (target.startsWith("/")) {
                    current = "";
                }
                continue;
            }
            current = next;
        }
        return current.isEmpty() ? "/" : current;
    }

    /** True when {@code hostPath} exists as a regular file without following a final symlink. */
    public static boolean isPlainFile(Path hostPath) {
        return Files.isRegularFile(hostPath, LinkOption.NOFOLLOW_LINKS);
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
