package org.zfsguard.cli;

/**
 * A failure the operator can act on: printed as one line plus the next command
 * to run, without a stack trace.
 */
public class UserError extends RuntimeException {
    private final String next;
    private final int exitCode;

    public UserError(String message, String next) {
        this(message, next, ExitCodes.ERROR);
    }

    public UserError(String message, String next, int exitCode) {
        super(message);
        this.next = next;
        this.exitCode = exitCode;
    }

    /** What to do about it, or null. */
    public String next() {
        return next;
    }

    public int exitCode() {
        return exitCode;
    }
}
