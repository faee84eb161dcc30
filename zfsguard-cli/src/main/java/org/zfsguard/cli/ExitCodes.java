package org.zfsguard.cli;

/** The documented exit codes of every command (see {@code zfsguard(8)}). */
public final class ExitCodes {
    public static final int OK = 0;
    /** Not safe to reboot, or an operation refused by design. */
    public static final int NOT_SAFE = 1;
    /** Could not tell or could not do it: I/O, bad input, missing pieces. */
    public static final int ERROR = 2;
    /** Command line could not be understood (sysexits EX_USAGE). */
    public static final int USAGE = 64;

    private ExitCodes() {
    }

    static int forException(Throwable t) {
        if (t instanceof UserError u) {
            return u.exitCode();
        }
        return ERROR;
    }
}
