package org.zfsguard.initramfs;

/** An initramfs image that could not be read; the message says why, printably. */
public final class InitramfsReadException extends Exception {
    public InitramfsReadException(String message) {
        super(message);
    }
}
