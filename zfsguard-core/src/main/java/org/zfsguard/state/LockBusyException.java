package org.zfsguard.state;

import java.io.IOException;
import java.util.OptionalLong;

/** Another zfsguard process held the lock for the whole bounded wait. */
public final class LockBusyException extends IOException {
    private final transient OptionalLong holderPid;

    LockBusyException(String message, OptionalLong holderPid) {
        super(message);
        this.holderPid = holderPid;
    }

    /** The process id the holder recorded in the lock file, when there is one. */
    public OptionalLong holderPid() {
        return holderPid;
    }
}
