package org.zfsguard.rebuild;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Runs a short command to its end (update-initramfs) and returns its exit status; a fake in tests. */
@FunctionalInterface
public interface CommandRunner {
    /** Runs {@code argv}, handing each line it prints (standard output and error) to {@code lines}. */
    int run(List<String> argv, Consumer<String> lines) throws IOException, InterruptedException;

    /** The real one: no standard input, and at most 30 minutes. */
    static CommandRunner processes() {
        return processesIn(null);
    }

    /** The real one, started in {@code directory} (the current one when null). */
    static CommandRunner processesIn(java.nio.file.Path directory) {
        return (argv, lines) -> {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .directory(directory == null ? null : directory.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.accept(line);
                }
            }
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(argv.get(0) + " did not finish within 30 minutes");
            }
            return p.exitValue();
        };
    }
}
