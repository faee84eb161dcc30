package org.zfsguard.deb;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a host command from an argument list, with a cleared environment and a time limit. */
final class Exec {

    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** What a finished command left behind. */
    record Result(List<String> command, int exitCode, String stdout, String stderr, Duration elapsed) {

        boolean ok() {
            return exitCode == 0;
        }

        /** The whole story of the command, for assertion messages. */
        String describe() {
            return "command: " + String.join(" ", command) + "\nexit code: " + exitCode
                    + " (" + elapsed.toMillis() + " ms)\n--- stdout ---\n" + tail(stdout)
                    + "\n--- stderr ---\n" + tail(stderr);
        }

        /** This result, or an AssertionError telling everything about the failure. */
        Result orFail() {
            if (!ok()) {
                throw new AssertionError("command failed\n" + describe());
            }
            return this;
        }

        private static String tail(String s) {
            int max = 6000;
            return s.length() <= max ? s : "[... " + (s.length() - max) + " chars cut ...]\n" + s.substring(s.length() - max);
        }
    }

    private Exec() {
    }

    static Map<String, String> baseEnvironment() {
        return Map.of("PATH", PATH, "LANG", "C.UTF-8", "LC_ALL", "C.UTF-8", "HOME", "/root",
                "DEBIAN_FRONTEND", "noninteractive", "DEBCONF_NONINTERACTIVE_SEEN", "true");
    }

    /**
     * Runs {@code command} with {@code scratch} holding its output files (large outputs never
     * block a pipe), stdin from /dev/null. On timeout the process and its descendants are killed
     * and the result carries exit code -1.
     */
    static Result run(List<String> command, Map<String, String> env, Duration timeout, Path scratch) {
        try {
            Files.createDirectories(scratch);
            Path out = Files.createTempFile(scratch, "out-", ".txt");
            Path err = Files.createTempFile(scratch, "err-", ".txt");
            try {
                ProcessBuilder pb = new ProcessBuilder(command);
                pb.environment().clear();
                pb.environment().putAll(env);
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                pb.redirectOutput(out.toFile());
                pb.redirectError(err.toFile());
                long start = System.nanoTime();
                Process p = pb.start();
                boolean finished;
                try {
                    finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    finished = false;
                }
                int code;
                if (finished) {
                    code = p.exitValue();
                } else {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    try {
                        p.waitFor(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    code = -1;
                }
                Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
                String stderr = Files.readString(err, StandardCharsets.UTF_8);
                if (!finished) {
                    stderr += "\n[killed after the time limit of " + timeout + "]";
                }
                return new Result(List.copyOf(command), code, Files.readString(out, StandardCharsets.UTF_8),
                        stderr, elapsed);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        }
    }

    /** A host command in a throw-away scratch directory under /var/tmp. */
    static Result host(Duration timeout, String... command) {
        return run(List.of(command), baseEnvironment(), timeout, Path.of("/var/tmp", "zfsguard-test-exec"));
    }
}
