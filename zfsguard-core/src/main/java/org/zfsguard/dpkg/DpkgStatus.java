package org.zfsguard.dpkg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.function.Consumer;

import org.zfsguard.io.BoundedLines;
import org.zfsguard.io.RegularFile;
import org.zfsguard.system.SystemRoot;

/**
 * The one reader of {@code /var/lib/dpkg/status}: its stanzas as package, version
 * and state, streamed with a bounded line length, no dpkg process.
 */
public final class DpkgStatus {
    public static final String PATH = "/var/lib/dpkg/status";
    private static final int MAX_LINE = 64 * 1024;

    /** One package's stanza; {@code state} is the last word of its Status field (installed, unpacked, ...). */
    public record Entry(String packageName, String version, String state) {
        public boolean installed() {
            return "installed".equals(state);
        }
    }

    private DpkgStatus() {
    }

    /**
     * Every stanza of the status file of {@code root}; a missing, damaged or huge
     * file yields what could be read before the problem.
     */
    public static void read(SystemRoot root, Consumer<Entry> each) {
        try {
            Path status = root.resolveAll(PATH);
            if (!Files.isRegularFile(status, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            try (InputStream in = RegularFile.open(status)) {
                parse(in, each);
            }
        } catch (IOException | RuntimeException e) {
            // What was read so far is still right; the callers treat the rest as not there.
        }
    }

    /** The stanzas of status text from {@code in}, in file order; one without Package or Status is skipped. */
    public static void parse(InputStream in, Consumer<Entry> each) throws IOException {
        BoundedLines r = new BoundedLines(in, MAX_LINE);
        String pkg = null;
        String version = null;
        String state = null;
        for (String line; (line = r.next()) != null; ) {
            if (line.isEmpty()) {
                emit(pkg, version, state, each);
                pkg = null;
                version = null;
                state = null;
            } else if (line.startsWith("Package: ")) {
                pkg = line.substring(9).strip();
            } else if (line.startsWith("Version: ")) {
                version = line.substring(9).strip();
            } else if (line.startsWith("Status: ")) {
                String[] words = line.substring(8).strip().split(" ");
                state = words[words.length - 1];
            }
        }
        emit(pkg, version, state, each);
    }

    private static void emit(String pkg, String version, String state, Consumer<Entry> each) {
        if (pkg != null && state != null) {
            each.accept(new Entry(pkg, version, state));
        }
    }
}
