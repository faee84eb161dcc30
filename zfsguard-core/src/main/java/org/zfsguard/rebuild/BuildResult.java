package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * How a build ended.
 *
 * @param exitCode     the DKMS exit status, empty when it was not started or was killed
 * @param makeLog      DKMS's make log as the target names it
 * @param makeLogTail  its last lines, on failure and abort
 * @param outputTail   the last lines DKMS printed itself (errors such as missing headers go there)
 * @param highestMilliCelsius the highest limiting temperature seen, empty without thermal zones
 * @param message      one line for people
 */
public record BuildResult(Outcome outcome, KernelRelease kernel, OptionalInt exitCode, String makeLog,
        List<String> makeLogTail, List<String> outputTail, OptionalInt highestMilliCelsius, Duration elapsed,
        Duration pausedTime, int pauses, String message) {

    public enum Outcome {
        SUCCESS,
        FAILED,
        ABORTED_HOT,
        ABORTED_PAUSED_TOO_LONG,
        /** Not started: a before-build hook refused, or DKMS could not be launched. */
        NOT_STARTED
    }

    public BuildResult {
        makeLogTail = List.copyOf(makeLogTail);
        outputTail = List.copyOf(outputTail);
    }

    public boolean succeeded() {
        return outcome == Outcome.SUCCESS;
    }

    /** The same result with another outcome and message (a hook found the built module wrong). */
    public BuildResult withOutcome(Outcome newOutcome, String newMessage) {
        return new BuildResult(newOutcome, kernel, exitCode, makeLog, makeLogTail, outputTail, highestMilliCelsius,
                elapsed, pausedTime, pauses, newMessage);
    }

    /** The highest temperature for people: "71.4 C", or a note that there was none. */
    public String highestTemperature() {
        return highestMilliCelsius.isPresent()
                ? String.format("%.1f C", highestMilliCelsius.getAsInt() / 1000.0)
                : "no temperature reading";
    }
}
