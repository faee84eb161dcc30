package org.zfsguard.rebuild;

/** A rebuild that cannot be planned or run, with the one command or action that fixes it. */
public final class RebuildException extends Exception {
    private final String next;

    public RebuildException(String message, String next) {
        super(message);
        this.next = next;
    }

    /** What to run or do about it. */
    public String next() {
        return next;
    }
}
