package org.zfsguard.backup;

/** A manifest that is incomplete, damaged or hostile; its set is not valid. */
public final class ManifestException extends Exception {
    public ManifestException(String message) {
        super(message);
    }
}
