package org.zfsguard.kernel;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GRUB's environment block ({@code /boot/grub/grubenv}): where {@code grub-reboot}
 * leaves {@code next_entry} and {@code grub-set-default} leaves {@code saved_entry}.
 * The file is a 1024-byte block of {@code name=value} lines padded with {@code #};
 * grub-editenv escapes a backslash and a newline in a value with a backslash.
 */
public final class GrubEnv {
    static final String HEADER = "# GRUB Environment Block";
    /** The block is 1 KiB; anything much larger is not a grubenv. */
    public static final int MAX_SIZE = 64 * 1024;

    private final Map<String, String> vars;

    private GrubEnv(Map<String, String> vars) {
        this.vars = Collections.unmodifiableMap(vars);
    }

    public static GrubEnv empty() {
        return new GrubEnv(new LinkedHashMap<>());
    }

    /** Parses the block; a text without the header (or null) is an empty environment, as GRUB treats it. */
    public static GrubEnv parse(String text) {
        Map<String, String> vars = new LinkedHashMap<>();
        if (text == null || !text.startsWith(HEADER + "\n")) {
            return new GrubEnv(vars);
        }
        int i = HEADER.length() + 1;
        while (i < text.length()) {
            StringBuilder line = new StringBuilder();
            while (i < text.length() && text.charAt(i) != '\n') {
                char c = text.charAt(i);
                if (c == '\\' && i + 1 < text.length()) {
                    line.append(text.charAt(i + 1));
                    i += 2;
                    continue;
                }
                line.append(c);
                i++;
            }
            i++;
            String l = line.toString();
            int eq = l.indexOf('=');
            if (l.startsWith("#") || eq <= 0) {
                continue;
            }
            vars.put(l.substring(0, eq), l.substring(eq + 1));
        }
        return new GrubEnv(vars);
    }

    /** The value, or "" when unset (GRUB's {@code ${name}} of an unset variable). */
    public String get(String name) {
        return vars.getOrDefault(name, "");
    }

    public Map<String, String> vars() {
        return vars;
    }
}
