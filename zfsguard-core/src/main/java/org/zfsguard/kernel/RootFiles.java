package org.zfsguard.kernel;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.zfsguard.system.SystemRoot;

/**
 * Reads the target system's files as the target would see them. Every path
 * component is checked for a symlink and resolved inside the root (an absolute
 * link target means the root's {@code /}), so no link, however placed, makes
 * the host's kernel walk out of the root.
 */
public final class RootFiles {
    private final SystemRoot root;

    public RootFiles(SystemRoot root) {
        this.root = root;
    }

    public SystemRoot root() {
        return root;
    }

    /**
     * The host path of {@code absolute} with every symlink resolved inside the root.
     * Throws {@link FileSystemLoopException} on a loop; a missing component is fine (the result does not exist).
     */
    public Path resolve(String absolute) throws IOException {
        if (absolute.indexOf('\0') >= 0) {
            throw new IOException("path contains a NUL byte");
        }
        try {
            return root.resolveAll(absolute);
        } catch (IllegalArgumentException e) {
            throw new IOException("not a usable path: " + SystemRoot.printable(absolute));
        }
    }

    /** The target name ({@code /boot/vmlinuz-6.1.0-9-amd64}) of a resolved host path. */
    public String targetName(Path hostPath) {
        return root.targetName(hostPath);
    }

    public boolean isDirectory(String absolute) throws IOException {
        return Files.isDirectory(resolve(absolute), LinkOption.NOFOLLOW_LINKS);
    }

    public boolean isFile(String absolute) throws IOException {
        return Files.isRegularFile(resolve(absolute), LinkOption.NOFOLLOW_LINKS);
    }

    public boolean exists(String absolute) throws IOException {
        return Files.exists(resolve(absolute), LinkOption.NOFOLLOW_LINKS);
    }

    /** The raw target of the symlink at {@code absolute} (last component not followed), or null if it is not a link. */
    public String linkTarget(String absolute) throws IOException {
        int slash = absolute.lastIndexOf('/');
        Path parent = resolve(slash <= 0 ? "/" : absolute.substring(0, slash));
        Path p = parent.resolve(absolute.substring(slash + 1));
        return Files.isSymbolicLink(p) ? Files.readSymbolicLink(p).toString() : null;
    }

    /** Names in the directory {@code absolute}, sorted; empty when it is not a directory. */
    public List<String> list(String absolute) throws IOException {
        Path dir = resolve(absolute);
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                out.add(p.getFileName().toString());
            }
        }
        out.sort(null);
        return out;
    }

    /** Reads a small text file (at most {@code max} bytes), or returns null when it is not a regular file. */
    public String readSmallText(String absolute, int max) throws IOException {
        Path p = resolve(absolute);
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try (var in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            byte[] b = in.readNBytes(max);
            return new String(b, java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
