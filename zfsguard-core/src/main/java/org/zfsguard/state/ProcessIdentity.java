package org.zfsguard.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process as the kernel names it for its whole life: pid and start time
 * ({@code /proc/PID/stat} field 22). A pid alone is reused after the process
 * ends; the pair is not, so a file marked with it can be told to belong to a
 * process that is gone.
 *
 * @param pid       the process id
 * @param startTime clock ticks after boot when it started; 0 when /proc could not tell
 */
public record ProcessIdentity(long pid, long startTime) {
    private static final Pattern TEXT = Pattern.compile("([1-9][0-9]{0,9})-([0-9]{1,20})");
    private static final int START_TIME_FIELD = 22;
    private static final ProcessIdentity CURRENT = of(ProcessHandle.current().pid());

    public static ProcessIdentity current() {
        return CURRENT;
    }

    /** The process {@code pid} now; start time 0 when /proc cannot be read. */
    static ProcessIdentity of(long pid) {
        return new ProcessIdentity(pid, startTimeOf(pid).orElse(0L));
    }

    /** {@code PID-STARTTIME}, as it goes into file names. */
    public String text() {
        return pid + "-" + startTime;
    }

    /** The identity in {@code s} (as {@link #text} wrote it), or empty. */
    public static Optional<ProcessIdentity> parse(String s) {
        Matcher m = TEXT.matcher(s);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ProcessIdentity(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * True when this process still runs: its pid exists and, when both start
     * times are known, started at the same tick (else the pid was reused).
     */
    public boolean alive() {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        if (startTime == 0) {
            return true;
        }
        return startTimeOf(pid).map(t -> t == 0 || t == startTime).orElse(false);
    }

    /** Field 22 of {@code /proc/PID/stat}; the command name before it may hold spaces and parentheses. */
    static Optional<Long> startTimeOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            return parseStartTime(stat);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static Optional<Long> parseStartTime(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return Optional.empty();
        }
        String[] fields = stat.substring(close + 1).trim().split(" +");
        // fields[0] is field 3 (state)
        int index = START_TIME_FIELD - 3;
        if (fields.length <= index || !fields[index].matches("[0-9]{1,20}")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(fields[index]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
