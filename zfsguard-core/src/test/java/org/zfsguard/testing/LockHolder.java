package org.zfsguard.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Holds a POSIX record lock from another process: a lock this JVM holds is invisible to
 * its own {@code tryLock}, so a probe can only be tested against a different process.
 * The child locks the file, says "locked", and keeps the lock until its standard input closes.
 */
public final class LockHolder implements AutoCloseable {
    private final Process child;

    private LockHolder(Process child) {
        this.child = child;
    }

    /** Starts a child JVM holding an exclusive (or shared) lock on the whole {@code file}; returns once it holds it. */
    public static LockHolder hold(Path file, boolean shared) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                LockHolder.class.getName(), file.toString(), shared ? "shared" : "exclusive"))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        String line = r.readLine();
        if (!"locked".equals(line)) {
            p.destroyForcibly();
            throw new IOException("lock holder did not take the lock on " + file + ": " + line);
        }
        return new LockHolder(p);
    }

    /** Lets the child go and waits for it: the kernel drops its lock when it exits. */
    @Override
    public void close() throws IOException {
        try (OutputStream in = child.getOutputStream()) {
            in.flush();
        }
        try {
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    public static void main(String[] args) throws IOException {
        boolean shared = args[1].equals("shared");
        try (FileChannel ch = shared ? FileChannel.open(Path.of(args[0]), StandardOpenOption.READ)
                : FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.lock(0, Long.MAX_VALUE, shared);
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // held until the parent closes our standard input (or dies)
            }
        }
    }
}
