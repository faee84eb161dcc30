package org.zfsguard.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * The one lock every zfsguard mutation takes ({@code /var/lib/zfsguard/lock}).
 * It is a kernel file lock, so it goes away with the process that held it: a
 * crash never leaves the system locked. The holder writes its process id into
 * the file so that a waiting process can say who it is waiting for.
 */
public final class ZfsguardLock implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);
    private static final int MAX_PID_BYTES = 32;

    private final FileChannel channel;
    private final FileLock lock;

    private ZfsguardLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock, waiting at most {@code wait}; creates the state directory if needed. */
    public static ZfsguardLock acquire(StateDir state, Duration wait) throws IOException {
        state.ensure();
        return acquire(state.lockFile(), wait);
    }

    /** Takes the backup store's lock ({@link StateDir#storeLockFile}), waiting at most {@code wait}. */
    public static ZfsguardLock acquireStore(StateDir state, Duration wait) throws IOException {
        state.ensure();
        return acquire(state.storeLockFile(), wait);
    }

    /**
     * Takes the lock on {@code file}, waiting at most {@code wait}. The file is
     * opened without following a symlink (the holder's pid is written into it)
     * and must be a regular file: a FIFO would block, a device would be written.
     */
    public static ZfsguardLock acquire(Path file, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        StateFiles.requireRegularOrAbsent(file);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        try {
            while (true) {
                FileLock l = tryLock(ch);
                if (l != null) {
                    recordHolder(ch);
                    return new ZfsguardLock(ch, l);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    OptionalLong pid = readHolder(file);
                    String who = pid.isPresent() ? "zfsguard process " + pid.getAsLong() : "another zfsguard process";
                    throw new LockBusyException(who + " holds " + file + " (waited " + describe(wait) + ")", pid);
                }
                try {
                    Thread.sleep(Math.min(POLL.toMillis(), Math.max(1, left / 1_000_000)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for " + file, e);
                }
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static FileLock tryLock(FileChannel ch) throws IOException {
        try {
            return ch.tryLock();
        } catch (OverlappingFileLockException e) {
            // Held by this very JVM through another channel: as busy as any other holder.
            return null;
        }
    }

    private static void recordHolder(FileChannel ch) throws IOException {
        byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(pid), 0);
        ch.force(false);
    }

    /** The pid recorded in a lock file; empty when there is none or it is not a number. */
    static OptionalLong readHolder(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.allocate(MAX_PID_BYTES);
            ch.read(buf, 0);
            String s = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).strip();
            if (s.matches("[1-9][0-9]{0,9}")) {
                return OptionalLong.of(Long.parseLong(s));
            }
        } catch (IOException e) {
            // No holder to name; the message says so.
        }
        return OptionalLong.empty();
    }

    private static String describe(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            channel.close();
        }
    }

}
