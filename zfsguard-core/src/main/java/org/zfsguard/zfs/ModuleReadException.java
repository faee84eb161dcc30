package org.zfsguard.zfs;

/** A module file that could not be read as a kernel module; the message says why, printably. */
public final class ModuleReadException extends Exception {
    public ModuleReadException(String message) {
        super(message);
    }

    public ModuleReadException(String message, Throwable cause) {
        super(message, cause);
    }
}
