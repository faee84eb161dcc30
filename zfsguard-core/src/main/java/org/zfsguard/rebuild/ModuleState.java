package org.zfsguard.rebuild;

/** What ZFS module a kernel has now, as the readiness verdict tells it. */
public enum ModuleState {
    /** No ZFS module for this kernel: build it. */
    MISSING,
    /** A module exists but is wrong (another ZFS version, vermagic mismatch, half build): back it up, replace it. */
    STALE,
    /** The module is right: nothing to build. */
    CURRENT
}
