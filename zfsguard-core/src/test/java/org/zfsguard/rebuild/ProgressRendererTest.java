package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

class ProgressRendererTest {
    private static final KernelRelease K = KernelRelease.parse("6.12.58-current-rockchip64");

    private static BuildStatus status(BuildPhase phase, int percent, int milli, boolean paused, long seconds) {
        return new BuildStatus(K, phase, percent, 0, milli > 0 ? OptionalInt.of(milli) : OptionalInt.empty(), paused,
                Duration.ofSeconds(seconds));
    }

    @Test
    void lineShowsBarPercentPhaseTemperatureAndTime() {
        assertThat(ProgressRenderer.line(status(BuildPhase.COMPILE, 34, 61200, false, 724)))
                .isEqualTo("[######..............]  34%  compile  61.2 C  12m04s");
        assertThat(ProgressRenderer.line(status(BuildPhase.COMPILE, 50, 80100, true, 3700)))
                .isEqualTo("[##########..........]  50%  compile (paused, cooling)  80.1 C  1h01m40s");
        assertThat(ProgressRenderer.line(status(BuildPhase.INSTALL, 100, 0, false, 5)))
                .isEqualTo("[####################] 100%  install  0m05s");
    }

    @Test
    void terminalRedrawsInPlaceAndPutsEventsOnTheirOwnLine() {
        StringWriter w = new StringWriter();
        ProgressRenderer r = ProgressRenderer.terminal(new PrintWriter(w));
        r.status(status(BuildPhase.CONFIGURE, 0, 50000, false, 1));
        r.status(status(BuildPhase.COMPILE, 10, 51000, false, 4));
        r.event("thermal_zone0 80.0 C is at or above the limit");
        r.finish();
        assertThat(w.toString()).isEqualTo(
                "\r[....................]   0%  configure  50.0 C  0m01s\033[K"
                        + "\r[##..................]  10%  compile  51.0 C  0m04s\033[K"
                        + "\r\033[Kthermal_zone0 80.0 C is at or above the limit\n");
    }

    @Test
    void terminalFinishEndsAnOpenLine() {
        StringWriter w = new StringWriter();
        ProgressRenderer r = ProgressRenderer.terminal(new PrintWriter(w));
        r.status(status(BuildPhase.INSTALL, 100, 0, false, 9));
        r.finish();
        assertThat(w.toString()).endsWith("\033[K\n");
    }

    @Test
    void plainPrintsTimestampedLinesOnlyWhenSomethingChanges() {
        StringWriter w = new StringWriter();
        MutableClock clock = new MutableClock(Instant.parse("2026-11-24T04:12:00.500Z"));
        ProgressRenderer r = ProgressRenderer.plain(new PrintWriter(w), clock);
        r.status(status(BuildPhase.COMPILE, 10, 60000, false, 3));
        clock.now = clock.now.plusSeconds(3);
        r.status(status(BuildPhase.COMPILE, 12, 60500, false, 6));
        clock.now = clock.now.plusSeconds(3);
        r.status(status(BuildPhase.COMPILE, 13, 81000, true, 9));
        clock.now = clock.now.plusSeconds(61);
        r.status(status(BuildPhase.COMPILE, 13, 75000, true, 70));
        r.event("cooled: resuming\u0007");
        assertThat(w.toString().lines()).containsExactly(
                "2026-11-24T04:12:00Z 6.12.58-current-rockchip64 [##..................]  10%  compile  60.0 C  0m03s",
                "2026-11-24T04:12:06Z 6.12.58-current-rockchip64 [##..................]  13%  compile (paused, cooling)  81.0 C  0m09s",
                "2026-11-24T04:13:07Z 6.12.58-current-rockchip64 [##..................]  13%  compile (paused, cooling)  75.0 C  1m10s",
                "2026-11-24T04:13:07Z cooled: resuming\\x07");
        assertThat(w.toString()).doesNotContain("\r").doesNotContain("\033");
    }

    static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
