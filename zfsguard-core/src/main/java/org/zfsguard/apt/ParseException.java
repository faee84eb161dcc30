package org.zfsguard.apt;

/** A hook stream that is not what apt writes. The message starts with the line number. */
public final class ParseException extends Exception {
    private final int line;

    public ParseException(int line, String problem) {
        super("line " + line + ": " + problem);
        this.line = line;
    }

    /** 1-based line of the input where the problem was found. */
    public int line() {
        return line;
    }
}
