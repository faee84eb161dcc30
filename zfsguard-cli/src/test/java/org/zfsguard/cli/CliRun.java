package org.zfsguard.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One command line through {@link Main#run}, with what it printed. */
record CliRun(int code, String out, String err) {

    static CliRun of(String... args) {
        return of(Effects.SYSTEM, args);
    }

    static CliRun of(Effects effects, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true), effects);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** The command line acting on the system root {@code root}; global options are reset afterwards. */
    static CliRun in(Path root, String... args) {
        return in(root, Effects.SYSTEM, args);
    }

    /** The same, with {@code effects} in place of the real processes, waits and questions. */
    static CliRun in(Path root, Effects effects, String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        try {
            return of(effects, all.toArray(String[]::new));
        } finally {
            GlobalOptions.reset();
        }
    }
}
