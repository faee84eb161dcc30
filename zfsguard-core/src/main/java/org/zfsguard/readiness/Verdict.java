package org.zfsguard.readiness;

/** Whether ZFS will load on one kernel after a reboot. */
public enum Verdict {
    OK("OK"),
    /** No ZFS module (or one of the modules it needs) for this kernel. */
    MISSING("MISSING"),
    /** A module built for another kernel, or from another OpenZFS version than the installed one. */
    STALE("STALE"),
    /** The kernel lies outside the installed OpenZFS's Linux-Minimum..Linux-Maximum. */
    UNSUPPORTED("UNSUPPORTED"),
    /** The module is on disk but the initramfs, which loads ZFS at boot, lacks it or holds another build. */
    NOT_IN_INITRAMFS("NOT-IN-INITRAMFS"),
    /** Something could not be read; the reason says what. */
    UNKNOWN("UNKNOWN");

    public final String label;

    Verdict(String label) {
        this.label = label;
    }
}
