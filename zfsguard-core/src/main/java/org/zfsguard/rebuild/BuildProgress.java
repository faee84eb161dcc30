package org.zfsguard.rebuild;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads DKMS's output and make's log line by line and estimates where the build is.
 * Pure: feed it lines, ask it for the phase and percentage.
 *
 * <p>Compile progress is the number of kbuild {@code CC [M]} / {@code AS [M]} lines
 * against the number expected. OpenZFS 2.2-2.4 compile about 280 objects on arm64 and
 * 295 on x86_64 (counted from {@code module/Kbuild.in}); a real build of 2.1.11 on
 * x86_64 logged 274. When a make.log of an earlier build of the same version is at hand,
 * its own count is the better estimate.
 */
public final class BuildProgress {
    public static final int DEFAULT_EXPECTED_UNITS = 280;

    private static final Pattern UNIT = Pattern.compile("^\\s*(CC|AS)( \\[M\\])?\\s+\\S+\\.o\\s*$");
    private static final Pattern CONFIGURE = Pattern.compile(
            "^(Running the pre_build script|checking |configure: |\\s*Running configure)");
    private static final Pattern COMPILE = Pattern.compile(
            "^(Building module|Cleaning build area|\\s*make -j|\\s*(LD|MODPOST|CC|AS)\\b)");
    private static final Pattern INSTALL = Pattern.compile(
            "^(\\s*- Installation|\\s*- Installing to|Installing /|depmod\\.\\.\\.|DKMS: install completed)");

    private final int expectedUnits;
    private BuildPhase phase = BuildPhase.STARTING;
    private int units;

    public BuildProgress(int expectedUnits) {
        if (expectedUnits < 1) {
            throw new IllegalArgumentException("expected units must be positive");
        }
        this.expectedUnits = expectedUnits;
    }

    /** Counts the compile units of a finished make.log, for the next build's estimate. */
    public static int countUnits(List<String> makeLog) {
        int n = 0;
        for (String line : makeLog) {
            if (UNIT.matcher(line).matches()) {
                n++;
            }
        }
        return n;
    }

    public void accept(String line) {
        if (UNIT.matcher(line).matches()) {
            units++;
            advance(BuildPhase.COMPILE);
        } else if (INSTALL.matcher(line).find()) {
            advance(BuildPhase.INSTALL);
        } else if (COMPILE.matcher(line).find()) {
            advance(BuildPhase.COMPILE);
        } else if (CONFIGURE.matcher(line).find()) {
            advance(BuildPhase.CONFIGURE);
        }
    }

    /** Moves to {@code next} unless the build is already past it (the caller's initramfs and done steps). */
    public void advance(BuildPhase next) {
        if (next.compareTo(phase) > 0) {
            phase = next;
        }
    }

    public BuildPhase phase() {
        return phase;
    }

    public int units() {
        return units;
    }

    /** 0 before compiling, the compile estimate (at most 99) while compiling, 100 from install on. */
    public int percent() {
        return switch (phase) {
            case STARTING, CONFIGURE -> 0;
            case COMPILE -> Math.min(99, units * 100 / expectedUnits);
            default -> 100;
        };
    }
}
