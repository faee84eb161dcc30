package org.zfsguard.thermal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.zfsguard.thermal.ThermalGuard.Action.ABORT;
import static org.zfsguard.thermal.ThermalGuard.Action.CONTINUE;
import static org.zfsguard.thermal.ThermalGuard.Action.PAUSE;
import static org.zfsguard.thermal.ThermalGuard.Action.RESUME;

import java.time.Duration;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.zfsguard.config.Config;
import org.zfsguard.thermal.ThermalGuard.AbortReason;
import org.zfsguard.thermal.ThermalGuard.Action;
import org.zfsguard.thermal.ThermalGuard.Decision;
import org.zfsguard.thermal.ThermalGuard.Limits;
import org.zfsguard.thermal.ThermalGuard.State;

class ThermalGuardTest {
    private static final long S = 1_000_000_000L;
    private static final long MIN = 60 * S;

    private final ThermalGuard guard = new ThermalGuard(Limits.celsius(80, 70, Duration.ofMinutes(30)));

    private static ThermalSample critical(double c, int tripC) {
        return new ThermalSample(true, (int) (c * 1000), "thermal_zone0", true, OptionalInt.of(tripC * 1000), "");
    }

    private Action at(double celsius, long t) {
        return guard.observe(ThermalSample.of(celsius), t).action();
    }

    @Test
    void coolBuildContinues() {
        assertThat(at(50, 0)).isEqualTo(CONTINUE);
        assertThat(at(79.999, 3 * S)).isEqualTo(CONTINUE);
        assertThat(guard.state()).isEqualTo(State.RUNNING);
        assertThat(guard.pauses()).isZero();
    }

    @Test
    void pausesExactlyAtTheLimit() {
        Decision d = guard.observe(ThermalSample.of(80), 0);
        assertThat(d.action()).isEqualTo(PAUSE);
        assertThat(d.message()).contains("80.0 C").contains("pausing until 70.0 C");
        assertThat(guard.state()).isEqualTo(State.PAUSED);
    }

    @Test
    void staysPausedBetweenResumeAndMaxThenResumesAtResumeTemperature() {
        assertThat(at(82, 0)).isEqualTo(PAUSE);
        assertThat(at(85, 3 * S)).isEqualTo(CONTINUE);
        assertThat(guard.state()).isEqualTo(State.PAUSED);
        assertThat(at(75, 6 * S)).isEqualTo(CONTINUE);
        assertThat(at(70.001, 9 * S)).isEqualTo(CONTINUE);
        assertThat(guard.state()).isEqualTo(State.PAUSED);
        assertThat(at(70, 12 * S)).isEqualTo(RESUME);
        assertThat(guard.state()).isEqualTo(State.RUNNING);
        assertThat(guard.pausedTime(12 * S)).isEqualTo(Duration.ofSeconds(12));
    }

    @Test
    void afterResumingItPausesAgainOnlyAtTheMaximum() {
        at(81, 0);
        at(65, 10 * S);
        assertThat(at(79, 20 * S)).isEqualTo(CONTINUE);
        assertThat(at(80.5, 30 * S)).isEqualTo(PAUSE);
        assertThat(at(60, 40 * S)).isEqualTo(RESUME);
        assertThat(guard.pauses()).isEqualTo(2);
        assertThat(guard.pausedTime(1000 * S)).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void recordsTheHighestTemperature() {
        assertThat(guard.highestMilliCelsius()).isEmpty();
        at(55, 0);
        at(83.25, S);
        at(71, 2 * S);
        guard.observe(ThermalSample.unavailable("sensor gone"), 3 * S);
        assertThat(guard.highestMilliCelsius()).isEqualTo(OptionalInt.of(83250));
    }

    @Test
    void criticalAbortsWhileRunning() {
        Decision d = guard.observe(critical(95, 95), 0);
        assertThat(d.action()).isEqualTo(ABORT);
        assertThat(d.abortReason()).isEqualTo(AbortReason.CRITICAL_TEMPERATURE);
        assertThat(d.message()).contains("critical trip point (95.0 C)");
        assertThat(guard.state()).isEqualTo(State.ABORTED);
        assertThat(guard.highestMilliCelsius()).isEqualTo(OptionalInt.of(95000));
    }

    @Test
    void criticalAbortsWhilePausedAndCountsThePause() {
        at(85, 0);
        Decision d = guard.observe(critical(100, 98), 5 * S);
        assertThat(d.action()).isEqualTo(ABORT);
        assertThat(d.abortReason()).isEqualTo(AbortReason.CRITICAL_TEMPERATURE);
        assertThat(guard.pausedTime(60 * S)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void criticalBelowTheMaximumStillAborts() {
        assertThat(guard.observe(critical(60, 60), 0).action()).isEqualTo(ABORT);
    }

    @Test
    void pausedTooLongAborts() {
        at(85, 0);
        assertThat(at(78, 29 * MIN + 59 * S)).isEqualTo(CONTINUE);
        Decision d = guard.observe(ThermalSample.of(78), 30 * MIN);
        assertThat(d.action()).isEqualTo(ABORT);
        assertThat(d.abortReason()).isEqualTo(AbortReason.PAUSED_TOO_LONG);
        assertThat(d.message()).contains("after 30 minutes paused");
    }

    @Test
    void pauseLimitIsPerPauseNotCumulative() {
        at(85, 0);
        at(65, 20 * MIN);
        at(85, 21 * MIN);
        assertThat(at(75, 40 * MIN)).isEqualTo(CONTINUE);
        assertThat(at(75, 51 * MIN)).isEqualTo(ABORT);
    }

    @Test
    void resumingAtTheLastMomentWinsOverThePauseLimit() {
        at(85, 0);
        assertThat(at(70, 30 * MIN)).isEqualTo(RESUME);
    }

    @Test
    void unavailableSampleKeepsARunningBuildRunning() {
        Decision d = guard.observe(ThermalSample.unavailable("no zones"), 0);
        assertThat(d.action()).isEqualTo(CONTINUE);
        assertThat(guard.state()).isEqualTo(State.RUNNING);
    }

    @Test
    void unavailableSampleKeepsAPausedBuildPausedUntilTheLimit() {
        at(85, 0);
        assertThat(guard.observe(ThermalSample.unavailable("gone"), 10 * MIN).action()).isEqualTo(CONTINUE);
        assertThat(guard.state()).isEqualTo(State.PAUSED);
        Decision d = guard.observe(ThermalSample.unavailable("gone"), 31 * MIN);
        assertThat(d.abortReason()).isEqualTo(AbortReason.PAUSED_TOO_LONG);
        assertThat(d.message()).contains("no usable temperature reading");
    }

    @Test
    void abortIsFinal() {
        Decision first = guard.observe(critical(99, 95), 0);
        assertThat(guard.observe(ThermalSample.of(30), S)).isSameAs(first);
        assertThat(guard.state()).isEqualTo(State.ABORTED);
    }

    @Test
    void clockGoingBackwardsCountsNoPauseTime() {
        at(85, 100 * S);
        assertThat(at(85, 50 * S)).isEqualTo(CONTINUE);
        assertThat(guard.pausedTime(50 * S)).isEqualTo(Duration.ZERO);
    }

    @ParameterizedTest
    @CsvSource({
        "50, CONTINUE, RUNNING",
        "80, PAUSE, PAUSED",
        "120, PAUSE, PAUSED",
    })
    void firstSampleDecidesFromRunning(double c, Action action, State state) {
        assertThat(at(c, 0)).isEqualTo(action);
        assertThat(guard.state()).isEqualTo(state);
    }

    @Test
    void limitsFromConfig() throws Exception {
        Limits l = Limits.from(Config.parse("max_temp = 75\nresume_temp = 60\n", "test"));
        assertThat(l.maxMilliCelsius()).isEqualTo(75000);
        assertThat(l.resumeMilliCelsius()).isEqualTo(60000);
        assertThat(l.maxPause()).isEqualTo(ThermalGuard.DEFAULT_MAX_PAUSE);
        Limits d = Limits.from(Config.defaults());
        assertThat(d.resumeMilliCelsius()).isEqualTo(70000);
    }

    @Test
    void rejectsInvertedOrEmptyLimits() {
        assertThatThrownBy(() -> Limits.celsius(70, 70, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below the maximum");
        assertThatThrownBy(() -> Limits.celsius(80, 70, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Limits.celsius(0, -10, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
