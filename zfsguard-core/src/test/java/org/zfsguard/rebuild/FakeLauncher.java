package org.zfsguard.rebuild;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A scripted stand-in for a DKMS process: hands out one chunk of output per poll while
 * running, none while stopped (as a SIGSTOPped process), exits when the script ends,
 * and reacts to signals like a process group would.
 */
final class FakeLauncher implements ProcessLauncher {
    final Deque<List<String>> chunks = new ArrayDeque<>();
    int exitStatus;
    boolean ignoresTerm;
    IOException startFailure;
    IOException signalFailure;

    List<String> argv;
    Map<String, String> set;
    Set<String> unset;
    FakeBuild build;

    FakeLauncher output(String... lines) {
        chunks.add(List.of(lines));
        return this;
    }

    @Override
    public RunningBuild start(List<String> argv, Map<String, String> set, Set<String> unset) throws IOException {
        if (startFailure != null) {
            throw startFailure;
        }
        this.argv = argv;
        this.set = set;
        this.unset = unset;
        build = new FakeBuild();
        return build;
    }

    final class FakeBuild implements RunningBuild {
        final List<GroupSignal> signals = new ArrayList<>();
        boolean stopped;
        boolean termPending;
        Integer exit;
        boolean closed;

        @Override
        public long pid() {
            return 4242;
        }

        @Override
        public OptionalInt exitCode() {
            if (exit == null && !stopped && chunks.isEmpty()) {
                exit = exitStatus;
            }
            return exit == null ? OptionalInt.empty() : OptionalInt.of(exit);
        }

        @Override
        public List<String> drainOutput() {
            if (stopped || exit != null || chunks.isEmpty()) {
                return List.of();
            }
            return chunks.poll();
        }

        @Override
        public void signalGroup(GroupSignal signal) throws IOException {
            if (signalFailure != null) {
                throw signalFailure;
            }
            signals.add(signal);
            switch (signal) {
                case STOP -> stopped = true;
                case CONT -> {
                    stopped = false;
                    if (termPending && !ignoresTerm) {
                        exit = 143;
                    }
                }
                case TERM -> {
                    termPending = true;
                    if (!stopped && !ignoresTerm) {
                        exit = 143;
                    }
                }
                case KILL -> exit = 137;
            }
        }

        @Override
        public boolean awaitExit(Duration timeout) {
            return exit != null;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
