package org.zfsguard.rebuild;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/** A started build process and its process group. */
public interface RunningBuild extends AutoCloseable {

    long pid();

    /** The exit status once the process has ended and all its output has been read; empty before. */
    OptionalInt exitCode();

    /** Output lines (stdout and stderr) that arrived since the last call. */
    List<String> drainOutput();

    /** Sends {@code signal} to every process of the build's process group at once. */
    void signalGroup(GroupSignal signal) throws IOException;

    /** Waits up to {@code timeout} for the process to end; true when it has. */
    boolean awaitExit(Duration timeout) throws InterruptedException;

    /** Releases what the launcher holds (reader thread, shutdown hook). Does not kill the build. */
    @Override
    void close();
}
