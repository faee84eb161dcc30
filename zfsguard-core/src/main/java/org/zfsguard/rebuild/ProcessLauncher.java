package org.zfsguard.rebuild;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Starts a build in a process group of its own, so that it can be paused and stopped as a whole. */
@FunctionalInterface
public interface ProcessLauncher {
    /**
     * Starts {@code argv} with the inherited environment, minus {@code unset}, plus {@code set}.
     */
    RunningBuild start(List<String> argv, Map<String, String> set, Set<String> unset) throws IOException;
}
