package org.zfsguard.rebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The bounded wait on a fake clock: the sleeper advances it, the probe answers from a script. */
class DpkgIdleWaitTest {
    static final String FRONTEND = "/var/lib/dpkg/lock-frontend";

    long now;
    final List<Duration> slept = new ArrayList<>();
    final List<String> notices = new ArrayList<>();
    final Deque<Optional<String>> answers = new ArrayDeque<>();
    int probes;

    DpkgIdleWait waiter() {
        return new DpkgIdleWait(() -> {
            probes++;
            return answers.size() > 1 ? answers.poll() : answers.peek();
        }, () -> now, d -> {
            slept.add(d);
            now += d.toNanos();
        });
    }

    DpkgIdleWait.Outcome await(Duration max) throws Exception {
        return waiter().await(max, (lock, m) -> notices.add(lock + " " + m.toSeconds()));
    }

    @Test
    void idleAtOnceMeansNoWaitAndNoNotice() throws Exception {
        answers.add(Optional.empty());
        assertThat(await(Duration.ofSeconds(10))).isEqualTo(new DpkgIdleWait.Idle(Duration.ZERO));
        assertThat(slept).isEmpty();
        assertThat(notices).isEmpty();
    }

    @Test
    void busyUntilDpkgFinishesThenIdleAfterTheTimeItTook() throws Exception {
        answers.add(Optional.of(FRONTEND));
        answers.add(Optional.of("/var/lib/dpkg/lock"));
        answers.add(Optional.of(FRONTEND));
        answers.add(Optional.empty());
        assertThat(await(Duration.ofSeconds(10))).isEqualTo(new DpkgIdleWait.Idle(Duration.ofSeconds(3)));
        assertThat(notices).containsExactly(FRONTEND + " 10");
        assertThat(slept).containsOnly(DpkgIdleWait.POLL);
    }

    @Test
    void stillBusyWhenTheWaitRunsOutIsBusyWithTheLockAndTheTimeWaited() throws Exception {
        answers.add(Optional.of(FRONTEND));
        DpkgIdleWait.Outcome o = await(Duration.ofMillis(2500));
        assertThat(o).isEqualTo(new DpkgIdleWait.Busy(FRONTEND, Duration.ofMillis(2500)));
        // the last sleep is cut to what is left, so the wait never overshoots its bound
        assertThat(slept).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(500));
        assertThat(probes).isEqualTo(4);
    }

    @Test
    void aZeroWaitProbesOnceAndNeitherSleepsNorAnnouncesAWait() throws Exception {
        answers.add(Optional.of(FRONTEND));
        assertThat(await(Duration.ZERO)).isEqualTo(new DpkgIdleWait.Busy(FRONTEND, Duration.ZERO));
        assertThat(slept).isEmpty();
        assertThat(notices).isEmpty();
        assertThat(probes).isEqualTo(1);
    }

    @Test
    void aProbeThatCannotTellIsAnErrorNotIdle() {
        DpkgIdleWait w = new DpkgIdleWait(() -> {
            throw new IOException("permission denied");
        }, () -> 0, d -> { });
        assertThatThrownBy(() -> w.await(Duration.ofSeconds(1), (l, m) -> { })).isInstanceOf(IOException.class);
    }
}
