package org.zfsguard.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.zfsguard.system.SystemRoot;

/**
 * The settings in {@code /etc/zfsguard/zfsguard.conf}: {@code key = value} lines,
 * {@code #} comments. Every key has a default, so a missing file is a valid
 * configuration; a malformed one is rejected as a whole with every problem named.
 */
public record Config(
        int maxTempC,
        int resumeTempC,
        int jobs,
        BuildPolicy build,
        PreflightMode preflight,
        int keepKernels,
        long reserveMiB) {

    public static final String PATH = "/etc/zfsguard/zfsguard.conf";
    private static final int MAX_FILE_BYTES = 64 * 1024;

    public enum BuildPolicy { MANUAL, DEFERRED }

    public enum PreflightMode { BLOCK, WARN, OFF }

    public static Config defaults() {
        return new Config(80, 70, 1, BuildPolicy.MANUAL, PreflightMode.BLOCK, 2, 256);
    }

    /** Reads the configuration of {@code root}; defaults when the file does not exist. */
    public static Config load(SystemRoot root) throws ConfigException {
        Path file = root.resolve(PATH);
        String text;
        try {
            byte[] bytes;
            try {
                bytes = org.zfsguard.io.RegularFile.read(file, MAX_FILE_BYTES);
            } catch (NoSuchFileException e) {
                throw e;
            } catch (IOException e) {
                throw new ConfigException(PATH + ": " + (e.getMessage().contains("larger than")
                        ? "larger than " + MAX_FILE_BYTES + " bytes; not a zfsguard configuration"
                        : "not a regular file (a FIFO, device or directory): not read"));
            }
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            return defaults();
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ConfigException(PATH + ": not valid UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(PATH + ": cannot read: " + e.getMessage());
        }
        return parse(text, PATH);
    }

    /** Parses configuration text; {@code name} is used in messages. */
    public static Config parse(String text, String name) throws ConfigException {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
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
            if (values.put(key, value) != null) {
                problems.add(name + ":" + (i + 1) + ": '" + SystemRoot.printable(key) + "' is set twice");
            }
        }
        Config d = defaults();
        Parser p = new Parser(values, name, problems);
        int maxTemp = p.integer("max_temp", d.maxTempC(), 40, 110);
        int resumeTemp = p.integer("resume_temp", maxTemp - 10, 20, 110);
        int jobs = p.integer("jobs", d.jobs(), 1, 64);
        BuildPolicy build = p.choice("build", BuildPolicy.class, d.build());
        PreflightMode preflight = p.choice("preflight", PreflightMode.class, d.preflight());
        int keep = p.integer("keep_kernels", d.keepKernels(), 1, 20);
        long reserve = p.integer("reserve_mib", (int) d.reserveMiB(), 0, 1 << 20);
        for (String key : values.keySet()) {
            if (!p.known.contains(key)) {
                problems.add(name + ": unknown key '" + SystemRoot.printable(key) + "'");
            }
        }
        if (problems.isEmpty() && resumeTemp >= maxTemp) {
            problems.add(name + ": resume_temp (" + resumeTemp + ") must be below max_temp (" + maxTemp + ")");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join("\n", problems));
        }
        return new Config(maxTemp, resumeTemp, jobs, build, preflight, keep, reserve);
    }

    private static final class Parser {
        private final Map<String, String> values;
        private final String name;
        private final List<String> problems;
        private final List<String> known = new ArrayList<>();

        Parser(Map<String, String> values, String name, List<String> problems) {
            this.values = values;
            this.name = name;
            this.problems = problems;
        }

        int integer(String key, int fallback, int min, int max) {
            known.add(key);
            String v = values.get(key);
            if (v == null) {
                return fallback;
            }
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

        <E extends Enum<E>> E choice(String key, Class<E> type, E fallback) {
            known.add(key);
            String v = values.get(key);
            if (v == null) {
                return fallback;
            }
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
