package org.zfsguard.thermal;

import java.time.Duration;
import java.util.OptionalInt;

import org.zfsguard.config.Config;

/**
 * Decides, sample by sample, whether a build may run, must pause, may resume or must
 * stop: a pure state machine over temperatures and a monotonic clock. It does not touch
 * processes; the build runner carries the actions out.
 *
 * <ul>
 * <li>Running, at or above the maximum: {@link Action#PAUSE}.</li>
 * <li>Paused, at or below the resume temperature: {@link Action#RESUME} (hysteresis, so
 *     the build does not flap around one value).</li>
 * <li>A limiting zone at its critical trip point, in any state: {@link Action#ABORT}.</li>
 * <li>Paused without interruption for longer than the pause limit: {@link Action#ABORT};
 *     a board that has not cooled by then is heated by something the pause cannot
 *     remove (ambient, other load), and holding a stopped build forever helps nobody.</li>
 * <li>An unavailable reading changes nothing: a running build keeps running, a paused
 *     build stays paused (and so still runs into the pause limit).</li>
 * </ul>
 * Once aborted, every further sample repeats the abort decision.
 */
public final class ThermalGuard {

    /**
     * How long a build may stay paused. A passively cooled SBC loses the 10 C of the
     * default hysteresis within a few minutes once the compiler stops (inferred from the
     * thermal time constants of small heatsinks, not measured here); half an hour leaves
     * a wide margin before deciding the heat is not the build's.
     */
    public static final Duration DEFAULT_MAX_PAUSE = Duration.ofMinutes(30);

    public enum Action { CONTINUE, PAUSE, RESUME, ABORT }

    public enum State { RUNNING, PAUSED, ABORTED }

    public enum AbortReason { CRITICAL_TEMPERATURE, PAUSED_TOO_LONG }

    /** What to do now, and a message for people when something changes. */
    public record Decision(Action action, AbortReason abortReason, String message) {
        static Decision of(Action action, String message) {
            return new Decision(action, null, message);
        }
    }

    /** Temperatures in millidegrees Celsius; the resume temperature must be below the maximum. */
    public record Limits(int maxMilliCelsius, int resumeMilliCelsius, Duration maxPause) {
        public Limits {
            if (resumeMilliCelsius >= maxMilliCelsius) {
                throw new IllegalArgumentException("resume temperature " + resumeMilliCelsius / 1000.0
                        + " C must be below the maximum " + maxMilliCelsius / 1000.0 + " C");
            }
            if (maxMilliCelsius <= 0 || resumeMilliCelsius <= 0) {
                throw new IllegalArgumentException("temperatures must be above 0 C");
            }
            if (maxPause.isNegative() || maxPause.isZero()) {
                throw new IllegalArgumentException("pause limit must be positive");
            }
        }

        public static Limits celsius(int maxC, int resumeC, Duration maxPause) {
            return new Limits(maxC * 1000, resumeC * 1000, maxPause);
        }

        public static Limits from(Config config) {
            return celsius(config.maxTempC(), config.resumeTempC(), DEFAULT_MAX_PAUSE);
        }
    }

    private final Limits limits;
    private State state = State.RUNNING;
    private Decision abort;
    private long pausedSinceNanos;
    private long totalPausedNanos;
    private int pauses;
    private int highestMilli = Integer.MIN_VALUE;

    public ThermalGuard(Limits limits) {
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    /** Takes one sample at monotonic time {@code nowNanos} and says what to do. */
    public Decision observe(ThermalSample sample, long nowNanos) {
        if (state == State.ABORTED) {
            return abort;
        }
        if (sample.available()) {
            highestMilli = Math.max(highestMilli, sample.milliCelsius());
            if (sample.criticalReached()) {
                return abort(AbortReason.CRITICAL_TEMPERATURE, nowNanos, String.format(
                        "%s reached its critical trip point%s: stopping the build",
                        describe(sample), sample.criticalMilliCelsius().isPresent()
                                ? String.format(" (%.1f C)", sample.criticalMilliCelsius().getAsInt() / 1000.0) : ""));
            }
        }
        if (state == State.RUNNING) {
            if (sample.available() && sample.milliCelsius() >= limits.maxMilliCelsius()) {
                state = State.PAUSED;
                pausedSinceNanos = nowNanos;
                pauses++;
                return Decision.of(Action.PAUSE, String.format("%s is at or above the limit of %.1f C: pausing until %.1f C",
                        describe(sample), limits.maxMilliCelsius() / 1000.0, limits.resumeMilliCelsius() / 1000.0));
            }
            return Decision.of(Action.CONTINUE, null);
        }
        // PAUSED
        if (sample.available() && sample.milliCelsius() <= limits.resumeMilliCelsius()) {
            totalPausedNanos += elapsed(nowNanos);
            state = State.RUNNING;
            return Decision.of(Action.RESUME, String.format("%s has cooled to %.1f C or below: resuming",
                    describe(sample), limits.resumeMilliCelsius() / 1000.0));
        }
        if (elapsed(nowNanos) >= limits.maxPause().toNanos()) {
            return abort(AbortReason.PAUSED_TOO_LONG, nowNanos, String.format(
                    "still above %.1f C after %d minutes paused%s: stopping the build",
                    limits.resumeMilliCelsius() / 1000.0, limits.maxPause().toMinutes(),
                    sample.available() ? " (" + describe(sample) + ")" : " (no usable temperature reading)"));
        }
        return Decision.of(Action.CONTINUE, null);
    }

    private Decision abort(AbortReason reason, long nowNanos, String message) {
        if (state == State.PAUSED) {
            totalPausedNanos += elapsed(nowNanos);
        }
        state = State.ABORTED;
        abort = new Decision(Action.ABORT, reason, message);
        return abort;
    }

    private long elapsed(long nowNanos) {
        // A monotonic clock never goes back; should a bad one do so, count no time rather than negative.
        return Math.max(0, nowNanos - pausedSinceNanos);
    }

    private static String describe(ThermalSample s) {
        return String.format("%s%.1f C", s.zone().isEmpty() ? "" : s.zone() + " ", s.celsius());
    }

    public State state() {
        return state;
    }

    /** The highest temperature seen in any available sample, in millidegrees. */
    public OptionalInt highestMilliCelsius() {
        return highestMilli == Integer.MIN_VALUE ? OptionalInt.empty() : OptionalInt.of(highestMilli);
    }

    /** Time spent paused, counting a pause still in progress up to {@code nowNanos}. */
    public Duration pausedTime(long nowNanos) {
        long total = totalPausedNanos + (state == State.PAUSED ? elapsed(nowNanos) : 0);
        return Duration.ofNanos(total);
    }

    public int pauses() {
        return pauses;
    }
}
