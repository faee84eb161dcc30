package org.zfsguard.rebuild;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * Waits a bounded time for apt and dpkg to finish before a rebuild starts. DKMS builds
 * that dpkg triggers (a kernel's postinst, zfs-dkms' configure step) write the same
 * trees a rebuild writes, and update-initramfs runs as a dpkg trigger; building beside
 * them races both.
 *
 * <p>The wait is bounded rather than endless because zfsguard can be started while its
 * own caller holds the lock: {@code build = deferred} starts the rebuild from apt's
 * {@code DPkg::Post-Invoke} hook, while apt still holds the frontend lock. That start is
 * asynchronous (a transient systemd unit; apt does not wait for it), so apt finishes
 * and releases the lock a moment later, and the rebuild, started with a long wait,
 * then plans from what dpkg left behind. Something that runs {@code zfsguard rebuild}
 * synchronously inside a dpkg run cannot deadlock either: the wait ends, and the
 * rebuild refuses with the command to run afterwards.
 */
public final class DpkgIdleWait {
    static final Duration POLL = Duration.ofSeconds(1);

    /** Which dpkg lock is held by another process, if any; {@code DpkgLocks::heldByOthers} in production. */
    @FunctionalInterface
    public interface Probe {
        Optional<String> held() throws IOException;
    }

    /** What the wait found. */
    public sealed interface Outcome {
    }

    /** apt and dpkg were idle, at once or after {@code waited}. */
    public record Idle(Duration waited) implements Outcome {
    }

    /** {@code lock} was still held by another process when the wait ran out. */
    public record Busy(String lock, Duration waited) implements Outcome {
    }

    /** Told when the first probe finds a lock held and the wait begins. */
    @FunctionalInterface
    public interface WaitNotice {
        void waiting(String lock, Duration max);
    }

    private final Probe probe;
    private final MonotonicClock clock;
    private final Sleeper sleeper;

    public DpkgIdleWait(Probe probe, MonotonicClock clock, Sleeper sleeper) {
        this.probe = probe;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** Probes now and then every second until the locks are free or {@code max} has passed. */
    public Outcome await(Duration max, WaitNotice notice) throws IOException, InterruptedException {
        long start = clock.nanos();
        Optional<String> held = probe.held();
        if (held.isEmpty()) {
            return new Idle(Duration.ZERO);
        }
        if (max.isZero() || max.isNegative()) {
            return new Busy(held.get(), Duration.ZERO);
        }
        notice.waiting(held.get(), max);
        while (true) {
            Duration waited = Duration.ofNanos(clock.nanos() - start);
            Duration left = max.minus(waited);
            if (left.isNegative() || left.isZero()) {
                return new Busy(held.get(), waited);
            }
            sleeper.sleep(left.compareTo(POLL) < 0 ? left : POLL);
            held = probe.held();
            if (held.isEmpty()) {
                return new Idle(Duration.ofNanos(clock.nanos() - start));
            }
        }
    }
}
