package org.zfsguard.apt;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.zfsguard.system.SystemRoot;

/**
 * The package names whose change makes zfsguard act, as shell globs. The same
 * file is read by the apt hook's shell filter with {@code case}, so the glob
 * alphabet is kept to what both read identically: {@code *}, {@code ?} and
 * literal package-name characters (no bracket expressions, no escapes).
 */
public final class WatchList {
    public static final String PATH = "/usr/share/zfsguard/watch-list";

    private static final Pattern GLOB = Pattern.compile("[a-z0-9+.*?-]+");
    private static final int MAX_BYTES = 16 * 1024;
    private static final int MAX_PATTERNS = 256;

    private final List<String> globs;

    private WatchList(List<String> globs) {
        this.globs = List.copyOf(globs);
    }

    /** Reads {@link #PATH} of {@code root}. */
    public static WatchList load(SystemRoot root) throws WatchListException {
        Path file;
        try {
            // Parents inside the root; the shipped file itself is never a symlink, so one there is refused below.
            file = root.resolveParents(PATH);
        } catch (IOException e) {
            throw new WatchListException(PATH + ": cannot resolve it inside the system root: " + e.getMessage());
        }
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new WatchListException(PATH + ": missing or not a regular file");
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                bytes = in.readNBytes(MAX_BYTES + 1);
            }
            if (bytes.length > MAX_BYTES) {
                throw new WatchListException(PATH + ": larger than " + MAX_BYTES + " bytes; not a watch list");
            }
            return parse(new String(bytes, StandardCharsets.UTF_8), PATH);
        } catch (NoSuchFileException e) {
            throw new WatchListException(PATH + ": missing");
        } catch (IOException e) {
            throw new WatchListException(PATH + ": cannot read: " + e.getMessage());
        }
    }

    /** Parses watch-list text; {@code name} is used in messages. */
    public static WatchList parse(String text, String name) throws WatchListException {
        List<String> globs = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (!GLOB.matcher(line).matches()) {
                throw new WatchListException(name + ":" + (i + 1) + ": '" + SystemRoot.printable(line)
                        + "' is not a package-name glob (allowed: a-z 0-9 + . - * ?)");
            }
            if (globs.size() == MAX_PATTERNS) {
                throw new WatchListException(name + ": more than " + MAX_PATTERNS + " patterns");
            }
            globs.add(line);
        }
        if (globs.isEmpty()) {
            throw new WatchListException(name + ": no patterns");
        }
        return new WatchList(globs);
    }

    public List<String> globs() {
        return globs;
    }

    /** True when {@code packageName} is a valid Debian package name matched by some glob. */
    public boolean matches(String packageName) {
        if (!PackageNames.isValidName(packageName)) {
            return false;
        }
        for (String glob : globs) {
            if (globMatches(glob, packageName)) {
                return true;
            }
        }
        return false;
    }

    /** Shell {@code case} semantics for {@code *} and {@code ?}; iterative, so no pattern can blow the stack. */
    static boolean globMatches(String glob, String s) {
        int g = 0;
        int i = 0;
        int starG = -1;
        int starI = 0;
        while (i < s.length()) {
            if (g < glob.length() && (glob.charAt(g) == '?' || glob.charAt(g) == s.charAt(i))) {
                g++;
                i++;
            } else if (g < glob.length() && glob.charAt(g) == '*') {
                starG = g++;
                starI = i;
            } else if (starG >= 0) {
                g = starG + 1;
                i = ++starI;
            } else {
                return false;
            }
        }
        while (g < glob.length() && glob.charAt(g) == '*') {
            g++;
        }
        return g == glob.length();
    }
}
