package org.zfsguard.deb;

import org.zfsguard.system.SystemRoot;

/** A .deb that is not one, is damaged, or exceeds what zfsguard will read. The message starts with the file. */
public final class DebFormatException extends Exception {
    public DebFormatException(String file, String problem) {
        super(SystemRoot.printable(file) + ": " + problem);
    }

    public DebFormatException(String file, String problem, Throwable cause) {
        super(SystemRoot.printable(file) + ": " + problem, cause);
    }
}
