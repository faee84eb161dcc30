package org.zfsguard.io;

/**
 * A decoder shipped with zfsguard cannot run on this system. This is a fault
 * of zfsguard's installation, never a property of the file being read, so it
 * must not be turned into "damaged" or "unreadable": callers let it through.
 */
public final class DecoderUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DecoderUnavailableException(String format, Throwable cause) {
        super("zfsguard's own " + format + " decoder cannot run on this system (" + cause
                + "): a fault of the zfsguard installation, not of the file being read", cause);
    }
}
