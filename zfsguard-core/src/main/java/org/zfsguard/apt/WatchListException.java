package org.zfsguard.apt;

/** The watch list file is missing, unreadable or malformed; the message names the file and line. */
public final class WatchListException extends Exception {
    public WatchListException(String message) {
        super(message);
    }
}
