package org.zfsguard.rebuild;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Shows build progress to people: a redrawn progress bar on a terminal, or plain
 * timestamped lines for logs, journals and pipes (one per phase change, 10 % step,
 * pause or resume, and at least one a minute), which never contain control characters.
 */
public abstract class ProgressRenderer implements ProgressListener {
    static final int BAR_WIDTH = 20;

    protected final PrintWriter out;

    protected ProgressRenderer(PrintWriter out) {
        this.out = out;
    }

    /** A progress bar redrawn in place; for an interactive terminal. */
    public static ProgressRenderer terminal(PrintWriter out) {
        return new Terminal(out);
    }

    /** Timestamped lines; for anything that is not a terminal. */
    public static ProgressRenderer plain(PrintWriter out, Clock wallClock) {
        return new Plain(out, wallClock);
    }

    /** {@code [#######.............]  34%  compile  61.2 C  12m04s}, the line both modes build on. */
    static String line(BuildStatus s) {
        int filled = s.percent() * BAR_WIDTH / 100;
        StringBuilder b = new StringBuilder("[");
        b.append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ");
        b.append(String.format("%3d%%  ", s.percent()));
        b.append(s.paused() ? s.phase().label() + " (paused, cooling)" : s.phase().label());
        if (s.milliCelsius().isPresent()) {
            b.append(String.format("  %.1f C", s.milliCelsius().getAsInt() / 1000.0));
        }
        b.append("  ").append(BuildRunner.format(s.elapsed()));
        return b.toString();
    }

    private static final class Terminal extends ProgressRenderer {
        private boolean lineOpen;

        Terminal(PrintWriter out) {
            super(out);
        }

        @Override
        public void status(BuildStatus s) {
            out.print("\r" + line(s) + "\033[K");
            out.flush();
            lineOpen = true;
        }

        @Override
        public void event(String message) {
            out.print((lineOpen ? "\r\033[K" : "") + org.zfsguard.system.SystemRoot.printable(message) + "\n");
            out.flush();
            lineOpen = false;
        }

        @Override
        public void finish() {
            if (lineOpen) {
                out.print("\n");
                out.flush();
                lineOpen = false;
            }
        }
    }

    private static final class Plain extends ProgressRenderer {
        private static final Duration HEARTBEAT = Duration.ofMinutes(1);
        private final Clock clock;
        private BuildPhase lastPhase;
        private int lastDecile = -1;
        private boolean lastPaused;
        private Instant lastPrinted;

        Plain(PrintWriter out, Clock clock) {
            super(out);
            this.clock = clock;
        }

        @Override
        public void status(BuildStatus s) {
            Instant now = clock.instant();
            int decile = s.percent() / 10;
            boolean due = s.phase() != lastPhase || decile != lastDecile || s.paused() != lastPaused
                    || lastPrinted == null || Duration.between(lastPrinted, now).compareTo(HEARTBEAT) >= 0;
            if (!due) {
                return;
            }
            lastPhase = s.phase();
            lastDecile = decile;
            lastPaused = s.paused();
            lastPrinted = now;
            out.println(stamp(now) + " " + s.kernel() + " " + line(s));
            out.flush();
        }

        @Override
        public void event(String message) {
            out.println(stamp(clock.instant()) + " " + org.zfsguard.system.SystemRoot.printable(message));
            out.flush();
        }

        private static String stamp(Instant t) {
            return t.truncatedTo(ChronoUnit.SECONDS).toString();
        }
    }
}
