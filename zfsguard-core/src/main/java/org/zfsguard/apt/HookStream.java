package org.zfsguard.apt;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.zfsguard.system.SystemRoot;

/**
 * What apt writes on the standard input of a {@code DPkg::Pre-Install-Pkgs}
 * hook in protocol version 2 or 3 (apt-pkg/deb/dpkgpm.cc, SendPkgsInfo):
 * {@code VERSION n}, the apt configuration as {@code key=value} lines with
 * %-escapes, a blank line, then one line per package action:
 *
 * <pre>
 * v3: name oldver oldarch oldmulti &lt;|&gt;|= newver newarch newmulti action
 * v2: name oldver &lt;|&gt;|= newver action
 * </pre>
 *
 * A missing version is {@code -} ({@code - - none} in v3); the action is a
 * .deb path, {@code **CONFIGURE**}, {@code **REMOVE**} or {@code **ERROR**}.
 * Version 1 (bare .deb paths, no package names) is recognised and refused
 * with the configuration line that fixes it.
 *
 * <p>Nothing here is trusted: lines, line count and total size are bounded,
 * every field is checked, and every problem is a {@link ParseException} naming
 * the line. Parsing stops at the first problem without reading the rest; a
 * hook must still {@link #drain} its standard input so that apt is not left
 * writing into a closed pipe.
 */
public final class HookStream {

    /**
     * Bounds on the input. A full release upgrade of a desktop system is about
     * 8,000 action lines and 1 MB; the defaults leave ample room above that
     * while keeping the parsed form well inside the launcher's heap.
     */
    public record Limits(int maxLineBytes, int maxLines, long maxBytes) {
        public static final Limits DEFAULT = new Limits(8192, 50_000, 8L << 20);
    }

    /** One {@code key=value} line of the apt configuration, %-escapes decoded. */
    public record ConfigEntry(String key, String value) {
    }

    private static final Set<String> MULTI_ARCH = Set.of("none", "same", "foreign", "allowed");
    private static final int MAX_PATH = 4096;

    private final int version;
    private final List<ConfigEntry> config;
    private final List<PackageAction> actions;

    private HookStream(int version, List<ConfigEntry> config, List<PackageAction> actions) {
        this.version = version;
        this.config = List.copyOf(config);
        this.actions = List.copyOf(actions);
    }

    public static HookStream parse(byte[] bytes) throws ParseException {
        try {
            return parse(new ByteArrayInputStream(bytes), Limits.DEFAULT);
        } catch (IOException e) {
            throw new IllegalStateException("reading a byte array cannot fail", e);
        }
    }

    public static HookStream parse(InputStream in) throws ParseException, IOException {
        return parse(in, Limits.DEFAULT);
    }

    /** Reads {@code in} to its end (or to the first problem); does not close it. */
    public static HookStream parse(InputStream in, Limits limits) throws ParseException, IOException {
        return new Parser(new LineReader(in, limits)).parse();
    }

    /** Reads and discards the rest of {@code in}, so that the writer never meets a closed pipe. */
    public static void drain(InputStream in) throws IOException {
        byte[] buf = new byte[8192];
        while (in.read(buf) >= 0) {
            // discard
        }
    }

    /** 2 or 3. */
    public int version() {
        return version;
    }

    /** The apt configuration in the order apt wrote it; list items repeat their key ({@code APT::NeverAutoRemove::}). */
    public List<ConfigEntry> config() {
        return config;
    }

    /** The last value apt wrote for {@code key}. */
    public Optional<String> configValue(String key) {
        Optional<String> found = Optional.empty();
        for (ConfigEntry e : config) {
            if (e.key().equals(key)) {
                found = Optional.of(e.value());
            }
        }
        return found;
    }

    /** Every value of a list option such as {@code APT::NeverAutoRemove::}. */
    public List<String> configValues(String key) {
        List<String> values = new ArrayList<>();
        for (ConfigEntry e : config) {
            if (e.key().equals(key)) {
                values.add(e.value());
            }
        }
        return values;
    }

    /** The package actions in the order dpkg will carry them out. */
    public List<PackageAction> actions() {
        return actions;
    }

    private static final class Parser {
        private final LineReader reader;

        Parser(LineReader reader) {
            this.reader = reader;
        }

        HookStream parse() throws ParseException, IOException {
            String first = reader.next();
            if (first == null) {
                throw new ParseException(1, "empty input; expected 'VERSION 3'");
            }
            int version = version(first);
            List<ConfigEntry> config = new ArrayList<>();
            while (true) {
                String line = reader.next();
                if (line == null) {
                    throw new ParseException(reader.lineNumber() + 1,
                            "input ended before the blank line that closes the apt configuration (truncated)");
                }
                if (line.isEmpty()) {
                    break;
                }
                config.add(configEntry(line));
            }
            List<PackageAction> actions = new ArrayList<>();
            String line;
            while ((line = reader.next()) != null) {
                actions.add(action(line, version));
            }
            return new HookStream(version, config, actions);
        }

        private int version(String line) throws ParseException {
            if (line.equals("VERSION 3")) {
                return 3;
            }
            if (line.equals("VERSION 2")) {
                return 2;
            }
            if (line.startsWith("VERSION ")) {
                throw new ParseException(1, "protocol version '" + SystemRoot.printable(line.substring(8))
                        + "' is not supported; zfsguard reads versions 2 and 3");
            }
            if (line.startsWith("/")) {
                throw new ParseException(1, "this is a protocol version 1 list (bare .deb paths, no package names);"
                        + " the hook's apt configuration must set DPkg::Tools::Options::<hook path>::Version \"3\"");
            }
            throw new ParseException(1, "expected 'VERSION 3', got '" + SystemRoot.printable(line) + "'");
        }

        private ConfigEntry configEntry(String line) throws ParseException {
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw problem("expected an apt configuration line 'key=value', got '" + SystemRoot.printable(line) + "'");
            }
            return new ConfigEntry(unescape(line.substring(0, eq)), unescape(line.substring(eq + 1)));
        }

        /** apt's QuoteString: every byte outside printable ASCII, '%', '=' and '"' is written as %xx. */
        private String unescape(String s) throws ParseException {
            if (s.indexOf('%') < 0) {
                return s;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c != '%') {
                    out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                    continue;
                }
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw problem("bad %-escape in '" + SystemRoot.printable(s) + "'");
                }
                out.write(hi * 16 + lo);
                i += 2;
            }
            return new String(out.toByteArray(), StandardCharsets.UTF_8);
        }

        private PackageAction action(String line, int version) throws ParseException {
            if (line.isEmpty()) {
                throw problem("empty line among the package actions");
            }
            int columns = version == 3 ? 9 : 5;
            // The last column is a file path and may itself contain spaces.
            String[] f = line.split(" ", columns);
            if (f.length < columns) {
                throw problem("expected " + columns + " space-separated columns (protocol version " + version
                        + "), got " + f.length + ": '" + SystemRoot.printable(line) + "'");
            }
            for (String field : f) {
                if (field.isEmpty()) {
                    throw problem("empty column (two spaces in a row): '" + SystemRoot.printable(line) + "'");
                }
            }
            int c = 0;
            String name = f[c++];
            if (!PackageNames.isValidName(name)) {
                throw problem("'" + SystemRoot.printable(name) + "' is not a valid Debian package name");
            }
            Optional<String> oldVersion = version(f[c++], name, "old");
            Optional<String> oldArch = Optional.empty();
            if (version == 3) {
                oldArch = arch(f[c++], f[c++], oldVersion.isPresent(), name, "old");
            }
            String op = f[c++];
            PackageAction.Direction direction = PackageAction.Direction.of(op).orElseThrow(() -> problem(
                    "expected '<', '>' or '=' between the versions of " + name + ", got '" + SystemRoot.printable(op) + "'"));
            Optional<String> newVersion = version(f[c++], name, "new");
            Optional<String> newArch = Optional.empty();
            if (version == 3) {
                newArch = arch(f[c++], f[c++], newVersion.isPresent(), name, "new");
            }
            String last = f[c];
            PackageAction.Action action;
            Optional<String> debPath = Optional.empty();
            switch (last) {
                case "**CONFIGURE**" -> action = PackageAction.Action.CONFIGURE;
                case "**REMOVE**" -> action = PackageAction.Action.REMOVE;
                case "**ERROR**" -> action = PackageAction.Action.NO_FILE;
                default -> {
                    action = PackageAction.Action.DEB_PATH;
                    debPath = Optional.of(debPath(last, name));
                }
            }
            if (action != PackageAction.Action.REMOVE && newVersion.isEmpty()) {
                throw problem(name + " is to be installed or configured but has no new version");
            }
            return new PackageAction(name, oldVersion, oldArch, direction, newVersion, newArch, action, debPath,
                    reader.lineNumber());
        }

        private Optional<String> version(String s, String name, String which) throws ParseException {
            if (s.equals("-")) {
                return Optional.empty();
            }
            if (!PackageNames.isValidVersion(s)) {
                throw problem("'" + SystemRoot.printable(s) + "' is not a valid " + which + " version of " + name);
            }
            return Optional.of(s);
        }

        private Optional<String> arch(String arch, String multi, boolean versionPresent, String name, String which)
                throws ParseException {
            if (!versionPresent) {
                if (!arch.equals("-") || !multi.equals("none")) {
                    throw problem("no " + which + " version of " + name + " but architecture '" + SystemRoot.printable(arch)
                            + " " + SystemRoot.printable(multi) + "' instead of '- none'");
                }
                return Optional.empty();
            }
            if (!PackageNames.isValidArchitecture(arch)) {
                throw problem("'" + SystemRoot.printable(arch) + "' is not a valid " + which + " architecture of " + name);
            }
            if (!MULTI_ARCH.contains(multi)) {
                throw problem("'" + SystemRoot.printable(multi) + "' is not a Multi-Arch value (none, same, foreign, allowed)");
            }
            return Optional.of(arch);
        }

        private String debPath(String path, String name) throws ParseException {
            if (!path.startsWith("/")) {
                throw problem("expected an absolute .deb path, **CONFIGURE** or **REMOVE** for " + name
                        + ", got '" + SystemRoot.printable(path) + "'");
            }
            if (path.length() > MAX_PATH) {
                throw problem(".deb path of " + name + " is longer than " + MAX_PATH + " characters");
            }
            for (String segment : path.split("/", -1)) {
                if (segment.equals("..")) {
                    throw problem(".deb path of " + name + " contains '..': '" + SystemRoot.printable(path) + "'");
                }
            }
            return path;
        }

        private ParseException problem(String message) {
            return new ParseException(reader.lineNumber(), message);
        }
    }

    /** Splits the input into lines, bounding their length, count and total size, rejecting what is not text. */
    private static final class LineReader {
        private final InputStream in;
        private final Limits limits;
        private final byte[] chunk = new byte[8192];
        private int pos;
        private int end;
        private int line;
        private long total;

        LineReader(InputStream in, Limits limits) {
            this.in = in;
            this.limits = limits;
        }

        int lineNumber() {
            return line;
        }

        /** The next line without its newline, or null at the end of the input. */
        String next() throws ParseException, IOException {
            ByteArrayOutputStream buf = null;
            int start = pos;
            int lineNo = line + 1;
            int length = 0;
            while (true) {
                if (pos == end) {
                    if (buf == null) {
                        buf = new ByteArrayOutputStream();
                    }
                    buf.write(chunk, start, pos - start);
                    int n = in.read(chunk);
                    if (n < 0) {
                        if (buf.size() == 0) {
                            return null;
                        }
                        throw new ParseException(lineNo, "input ends inside a line, without a newline (truncated)");
                    }
                    total += n;
                    if (total > limits.maxBytes()) {
                        throw new ParseException(lineNo, "input is larger than " + limits.maxBytes() + " bytes");
                    }
                    pos = 0;
                    end = n;
                    start = 0;
                }
                byte b = chunk[pos++];
                if (b == '\n') {
                    break;
                }
                if (++length > limits.maxLineBytes()) {
                    throw new ParseException(lineNo, "line is longer than " + limits.maxLineBytes() + " bytes");
                }
                if ((b >= 0 && b < 0x20) || b == 0x7f) {
                    throw new ParseException(lineNo, String.format("control character 0x%02x at byte %d"
                            + " (binary data, not an apt hook stream)", b, length));
                }
            }
            line = lineNo;
            if (line > limits.maxLines()) {
                throw new ParseException(line, "more than " + limits.maxLines() + " lines");
            }
            byte[] bytes;
            if (buf == null) {
                bytes = java.util.Arrays.copyOfRange(chunk, start, pos - 1);
            } else {
                buf.write(chunk, start, pos - 1 - start);
                bytes = buf.toByteArray();
            }
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw new ParseException(line, "not valid UTF-8 text");
            }
        }
    }
}
