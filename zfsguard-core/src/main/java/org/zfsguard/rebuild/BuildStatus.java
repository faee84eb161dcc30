package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * One moment of a build, for progress display.
 *
 * @param milliCelsius the current limiting temperature, empty without a usable zone
 */
public record BuildStatus(KernelRelease kernel, BuildPhase phase, int percent, int units, OptionalInt milliCelsius,
        boolean paused, Duration elapsed) {
}
