package org.zfsguard.rebuild;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts builds with {@link ProcessBuilder} under {@code setsid}, so the build leads a
 * new session and process group whose id is its pid, and signals that group with
 * {@code kill -s SIG -- -<pgid>}.
 *
 * <p>Why a process group and not {@link ProcessHandle#descendants()}: make forks a new
 * compiler for every object; listing descendants and stopping them one by one races
 * with those forks, and a compiler started in between would keep heating the SoC. The
 * kernel delivers a signal to a process group atomically. DKMS runs make from a
 * non-interactive bash, which creates no process groups of its own, so the whole build
 * stays in the group. Without {@code setsid} the child would share the JVM's group and
 * SIGSTOP would stop zfsguard itself. In {@code ps} a paused build may show its shell in
 * state D rather than T: a parent that vforked (dash, posix_spawn) waits uninterruptibly
 * for its stopped child to exec; it cannot run either, and resumes with the group.
 *
 * <p>If zfsguard is interrupted (Ctrl-C, SIGTERM) while a build runs, a shutdown hook
 * continues and terminates the group, so no stopped build is left behind.
 */
public final class SystemProcessLauncher implements ProcessLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(SystemProcessLauncher.class);
    private static final int MAX_LINE_CHARS = 4096;
    private static final int MAX_QUEUED_LINES = 20_000;

    private final String setsid;
    private final String kill;

    public SystemProcessLauncher() {
        this("/usr/bin/setsid", "/bin/kill");
    }

    public SystemProcessLauncher(String setsid, String kill) {
        this.setsid = setsid;
        this.kill = kill;
    }

    @Override
    public RunningBuild start(List<String> argv, Map<String, String> set, Set<String> unset) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(setsid);
        command.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = pb.environment();
        unset.forEach(env::remove);
        env.putAll(set);
        Process process = pb.start();
        return new SystemBuild(process, kill);
    }

    private static final class SystemBuild implements RunningBuild {
        private final Process process;
        private final String kill;
        private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        private final AtomicInteger queued = new AtomicInteger();
        private final Thread reader;
        private final Thread shutdownHook;

        SystemBuild(Process process, String kill) {
            this.process = process;
            this.kill = kill;
            this.reader = new Thread(() -> pump(process.getInputStream()), "build-output-" + process.pid());
            reader.setDaemon(true);
            reader.start();
            this.shutdownHook = new Thread(this::stopOnExit, "build-stop-" + process.pid());
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }

        private void pump(InputStream in) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.length() > MAX_LINE_CHARS) {
                        line = line.substring(0, MAX_LINE_CHARS);
                    }
                    // A runaway build cannot exhaust memory: the oldest unread lines go first.
                    if (queued.incrementAndGet() > MAX_QUEUED_LINES) {
                        lines.poll();
                        queued.decrementAndGet();
                    }
                    lines.add(line);
                }
            } catch (IOException e) {
                LOG.debug("build output closed: {}", e.getMessage());
            }
        }

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public OptionalInt exitCode() {
            if (process.isAlive() || reader.isAlive()) {
                return OptionalInt.empty();
            }
            return OptionalInt.of(process.exitValue());
        }

        @Override
        public List<String> drainOutput() {
            List<String> out = new ArrayList<>();
            String line;
            while ((line = lines.poll()) != null) {
                queued.decrementAndGet();
                out.add(line);
            }
            return out;
        }

        @Override
        public void signalGroup(GroupSignal signal) throws IOException {
            long pgid = process.pid();
            awaitOwnGroup(pgid);
            Process k = new ProcessBuilder(kill, "-s", signal.name(), "--", "-" + pgid)
                    .redirectErrorStream(true).start();
            try {
                String out = new String(k.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
                if (!k.waitFor(10, TimeUnit.SECONDS)) {
                    k.destroyForcibly();
                    throw new IOException("kill -s " + signal + " did not finish");
                }
                if (k.exitValue() != 0 && process.isAlive()) {
                    throw new IOException("kill -s " + signal + " -- -" + pgid + " failed: " + out);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while signalling the build", e);
            }
        }

        /**
         * setsid makes the group only once it runs; a signal sent in the first instants
         * after start could find no group yet. Waits (briefly) until /proc says so.
         */
        private void awaitOwnGroup(long pid) {
            Path stat = Path.of("/proc/" + pid + "/stat");
            for (int i = 0; i < 100 && process.isAlive(); i++) {
                try {
                    String s = Files.readString(stat, StandardCharsets.UTF_8);
                    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
                    if (f.length > 2 && f[2].equals(Long.toString(pid))) {
                        return;
                    }
                    Thread.sleep(10);
                } catch (IOException | RuntimeException e) {
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        @Override
        public boolean awaitExit(Duration timeout) throws InterruptedException {
            boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (ended) {
                reader.join(timeout.toMillis());
            }
            return ended;
        }

        private void stopOnExit() {
            if (!process.isAlive()) {
                return;
            }
            try {
                signalGroup(GroupSignal.TERM);
                signalGroup(GroupSignal.CONT);
            } catch (IOException e) {
                process.destroyForcibly();
            }
        }

        @Override
        public void close() {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down; the hook runs anyway.
            }
        }

        @Override
        public String toString() {
            return "build pid " + process.pid() + String.format(Locale.ROOT, " alive=%s", process.isAlive());
        }
    }
}
