package org.zfsguard.state;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

import org.zfsguard.system.SystemRoot;

/**
 * Resolves a target path the way the target system would, one component at a
 * time, so that a symlink anywhere on the way (a merged-/usr {@code /lib ->
 * /usr/lib}, say) is followed inside the root and never to the host: asking the
 * host to open {@code ROOT/lib/modules} would follow an absolute {@code /lib}
 * link out of the root.
 */
public final class RootPaths {
    private static final int MAX_LINK_HOPS = 40;

    private RootPaths() {
    }

    /**
     * The host path of {@code absolute} with every directory on the way resolved
     * inside {@code root}; the last component is not followed, so a symlink there
     * is returned as the link itself.
     */
    public static Path resolveParents(SystemRoot root, String absolute) throws IOException {
        String canonical = canonicalParents(root, absolute);
        return root.resolve(canonical);
    }

    /** Like {@link #resolveParents} but also follows a symlink in the last component. */
    public static Path resolveAll(SystemRoot root, String absolute) throws IOException {
        return root.resolve(walk(root, absolute, true));
    }

    /** The link-free target path of {@code absolute}'s parent, plus its last component. */
    public static String canonicalParents(SystemRoot root, String absolute) throws IOException {
        return walk(root, absolute, false);
    }

    private static String walk(SystemRoot root, String absolute, boolean followLast) throws IOException {
        if (!absolute.startsWith("/") || absolute.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not an absolute path: " + SystemRoot.printable(absolute));
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
            boolean last = todo.isEmpty();
            Path host = root.resolve(next);
            if ((!last || followLast) && Files.isSymbolicLink(host)) {
                if (++hops > MAX_LINK_HOPS) {
                    throw new FileSystemLoopException(SystemRoot.printable(absolute));
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
}
