package org.zfsguard.preflight;

import java.util.List;

/** One reason of a preflight decision, with the exact commands that address it. */
public record Finding(Severity severity, String reason, List<String> commands) {
    public enum Severity { BLOCK, WARN }

    public Finding {
        commands = List.copyOf(commands);
    }
}
