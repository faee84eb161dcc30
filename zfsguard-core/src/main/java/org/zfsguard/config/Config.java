package org.zfsguard.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.zfsguard.system.SystemRoot;

/**
 * The settings in {@code /etc/zfsguard/zfsguard.conf} and its drop-ins
 * {@code /etc/zfsguard/zfsguard.conf.d/*.conf} (image builders and configuration
 * management set one key without editing the conffile): {@code key = value}
 * lines, {@code #} comments. Every key has a default, so no file at all is a
 * valid configuration; a malformed one is rejected as a whole with every
 * problem named. Documented in zfsguard.conf(5).
 */
public record Config(
        int maxTempC,
        int resumeTempC,
        int jobs,
        BuildPolicy build,
        PreflightMode preflight,
        int keepKernels,
        long reserveMiB,
        PinMode pin,
        String metricsDir,
        org.zfsguard.guard.BootGuard.Mode bootGuard) {

    public static final String PATH = "/etc/zfsguard/zfsguard.conf";
    /** Drop-ins: {@code *.conf} here, read after {@link #PATH} in lexical order; a later file wins. */
    public static final String DROP_IN_DIR = "/etc/zfsguard/zfsguard.conf.d";
    private static final long MAX_FILE_BYTES = 64 * 1024;
    /** More drop-ins than this is not a configuration but a mistake (or an attack): refused, not read. */
    static final int MAX_DROP_INS = 64;
    private static final Pattern DROP_IN_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*\\.conf");

    /** Whether zfsguard keeps apt's compatibility pin (/etc/apt/preferences.d/zfsguard). */
    public enum PinMode { AUTO, OFF }

    /** Where Debian's prometheus-node-exporter reads textfile metrics. */
    public static final String DEFAULT_METRICS_DIR = "/var/lib/prometheus/node-exporter";
    private static final Pattern METRICS_DIR = Pattern.compile("(/[A-Za-z0-9_.+-]+)+");

    public Config(int maxTempC, int resumeTempC, int jobs, BuildPolicy build, PreflightMode preflight, int keepKernels,
            long reserveMiB, PinMode pin) {
        this(maxTempC, resumeTempC, jobs, build, preflight, keepKernels, reserveMiB, pin, DEFAULT_METRICS_DIR,
                org.zfsguard.guard.BootGuard.Mode.HOLD);
    }

    public Config(int maxTempC, int resumeTempC, int jobs, BuildPolicy build, PreflightMode preflight, int keepKernels,
            long reserveMiB) {
        this(maxTempC, resumeTempC, jobs, build, preflight, keepKernels, reserveMiB, PinMode.AUTO);
    }


    public enum BuildPolicy { MANUAL, DEFERRED }

    public enum PreflightMode { BLOCK, WARN, OFF }

    public static Config defaults() {
        return new Config(80, 70, 1, BuildPolicy.MANUAL, PreflightMode.BLOCK, 2, 256);
    }

    /**
     * Reads the configuration of {@code root}: the main file, then every drop-in.
     * Defaults for what none of them sets; a missing file is fine.
     */
    public static Config load(SystemRoot root) throws ConfigException {
        Map<String, Setting> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        String main = read(root, PATH, problems);
        if (main != null) {
            collect(main, PATH, values, problems);
        }
        for (String name : dropIns(root, problems)) {
            String path = DROP_IN_DIR + "/" + name;
            String text = read(root, path, problems);
            if (text != null) {
                Map<String, Setting> own = new LinkedHashMap<>();
                collect(text, path, own, problems);
                values.putAll(own);
            }
        }
        return build(values, problems);
    }

    /** Parses configuration text; {@code name} is used in messages. */
    public static Config parse(String text, String name) throws ConfigException {
        Map<String, Setting> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        collect(text, name, values, problems);
        return build(values, problems);
    }

    /** A value and the file that set it, so that a bad value names the right file. */
    private record Setting(String value, String file) {
    }

    /** The names of the drop-ins in the order they apply; problems for anything there that cannot be one. */
    private static List<String> dropIns(SystemRoot root, List<String> problems) {
        Path dir;
        try {
            dir = root.resolveAll(DROP_IN_DIR);
        } catch (IOException | IllegalArgumentException e) {
            problems.add(DROP_IN_DIR + ": cannot resolve: " + e.getMessage());
            return List.of();
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path e : entries) {
                String name = e.getFileName().toString();
                if (!name.endsWith(".conf")) {
                    continue; // editor backups, .dpkg-old and the like are not read, as in other conf.d directories
                }
                if (!DROP_IN_NAME.matcher(name).matches()) {
                    problems.add(DROP_IN_DIR + "/" + SystemRoot.printable(name)
                            + ": not a drop-in name (letters, digits, '_', '.', '-', ending in .conf)");
                    continue;
                }
                names.add(name);
                if (names.size() > MAX_DROP_INS) {
                    problems.add(DROP_IN_DIR + ": more than " + MAX_DROP_INS + " drop-ins; not read");
                    return List.of();
                }
            }
        } catch (IOException e) {
            problems.add(DROP_IN_DIR + ": cannot list: " + e.getMessage());
            return List.of();
        }
        names.sort(null);
        return names;
    }

    /**
     * The text of one file, or null when it does not exist. A symlink is followed
     * inside the root; whatever is not a regular file, or is larger than any
     * configuration, is a problem and never opened.
     */
    private static String read(SystemRoot root, String path, List<String> problems) {
        try {
            Path file = root.resolveAll(path);
            if (!file.startsWith(configDir(root))) {
                // A link to anywhere else in the system is not configuration: reading it would echo its lines.
                problems.add(path + ": a symlink that leads out of /etc/zfsguard; not read");
                return null;
            }
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                if (Files.isSymbolicLink(root.resolveParents(path))) {
                    problems.add(path + ": a symlink to nothing inside " + root.path());
                }
                return null;
            }
            if (!a.isRegularFile()) {
                problems.add(path + ": not a regular file");
                return null;
            }
            if (a.size() > MAX_FILE_BYTES) {
                problems.add(path + ": larger than " + MAX_FILE_BYTES + " bytes; not a zfsguard configuration");
                return null;
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
            }
            if (bytes.length > MAX_FILE_BYTES) {
                problems.add(path + ": larger than " + MAX_FILE_BYTES + " bytes; not a zfsguard configuration");
                return null;
            }
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            problems.add(path + ": not valid UTF-8 text");
        } catch (IOException | IllegalArgumentException e) {
            problems.add(path + ": cannot read: " + e.getMessage());
        }
        return null;
    }

    /** /etc/zfsguard as the root's own links lead to it (an /etc that is a link stays inside the root). */
    private static Path configDir(SystemRoot root) {
        try {
            return root.resolveAll("/etc/zfsguard");
        } catch (IOException | IllegalArgumentException e) {
            return root.resolve("/etc/zfsguard");
        }
    }

    private static void collect(String text, String name, Map<String, Setting> values, List<String> problems) {
        Map<String, Setting> own = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                problems.add(name + ":" + (i + 1) + ": expected 'key = value', got '" + SystemRoot.printable(line) + "'");
                continue;
            }
            String key = line.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(eq + 1).strip();
            if (own.put(key, new Setting(value, name + ":" + (i + 1))) != null) {
                problems.add(name + ":" + (i + 1) + ": '" + SystemRoot.printable(key) + "' is set twice");
            }
        }
        values.putAll(own);
    }

    private static Config build(Map<String, Setting> values, List<String> problems) throws ConfigException {
        Config d = defaults();
        Parser p = new Parser(values, problems);
        int maxTemp = p.integer("max_temp", d.maxTempC(), 40, 110);
        int resumeTemp = p.integer("resume_temp", maxTemp - 10, 20, 110);
        int jobs = p.integer("jobs", d.jobs(), 1, 64);
        BuildPolicy build = p.choice("build", BuildPolicy.class, d.build());
        PreflightMode preflight = p.choice("preflight", PreflightMode.class, d.preflight());
        int keep = p.integer("keep_kernels", d.keepKernels(), 1, 20);
        long reserve = p.integer("reserve_mib", (int) d.reserveMiB(), 0, 1 << 20);
        PinMode pin = p.choice("pin", PinMode.class, d.pin());
        String metricsDir = p.path("metrics_dir", d.metricsDir());
        org.zfsguard.guard.BootGuard.Mode bootGuard = p.choice("boot_guard", org.zfsguard.guard.BootGuard.Mode.class,
                d.bootGuard());
        for (Map.Entry<String, Setting> e : values.entrySet()) {
            if (!p.known.contains(e.getKey())) {
                problems.add(e.getValue().file() + ": unknown key '" + SystemRoot.printable(e.getKey()) + "'");
            }
        }
        if (problems.isEmpty() && resumeTemp >= maxTemp) {
            problems.add("resume_temp (" + resumeTemp + ") must be below max_temp (" + maxTemp + ")");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join("\n", problems));
        }
        return new Config(maxTemp, resumeTemp, jobs, build, preflight, keep, reserve, pin, metricsDir, bootGuard);
    }

    private static final class Parser {
        private final Map<String, Setting> values;
        private final List<String> problems;
        private final List<String> known = new ArrayList<>();

        Parser(Map<String, Setting> values, List<String> problems) {
            this.values = values;
            this.problems = problems;
        }

        int integer(String key, int fallback, int min, int max) {
            known.add(key);
            Setting s = values.get(key);
            if (s == null) {
                return fallback;
            }
            String v = s.value();
            String name = s.file();
            try {
                int n = Integer.parseInt(v);
                if (n < min || n > max) {
                    problems.add(name + ": " + key + " = " + v + " is outside " + min + ".." + max);
                    return fallback;
                }
                return n;
            } catch (NumberFormatException e) {
                problems.add(name + ": " + key + " = '" + SystemRoot.printable(v) + "' is not a whole number");
                return fallback;
            }
        }

        /** An absolute path of plain names: no "..", no spaces, nothing a shell or a path join could misread. */
        String path(String key, String fallback) {
            known.add(key);
            Setting s = values.get(key);
            if (s == null) {
                return fallback;
            }
            String v = s.value();
            if (!METRICS_DIR.matcher(v).matches() || ("/" + v + "/").contains("/../") || ("/" + v + "/").contains("/./")) {
                problems.add(s.file() + ": " + key + " = '" + SystemRoot.printable(v)
                        + "' is not an absolute path of plain names (letters, digits, '_', '.', '+', '-')");
                return fallback;
            }
            return v;
        }

        <E extends Enum<E>> E choice(String key, Class<E> type, E fallback) {
            known.add(key);
            Setting s = values.get(key);
            if (s == null) {
                return fallback;
            }
            String v = s.value();
            String name = s.file();
            try {
                return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                List<String> names = new ArrayList<>();
                for (E c : type.getEnumConstants()) {
                    names.add(c.name().toLowerCase(Locale.ROOT));
                }
                problems.add(name + ": " + key + " = '" + SystemRoot.printable(v) + "' must be one of " + String.join(", ", names));
                return fallback;
            }
        }
    }
}
