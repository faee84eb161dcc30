package org.zfsguard.rebuild;

/** Where a ZFS build is; phases only move forward. */
public enum BuildPhase {
    STARTING("starting"),
    CONFIGURE("configure"),
    COMPILE("compile"),
    INSTALL("install"),
    INITRAMFS("initramfs"),
    DONE("done");

    private final String label;

    BuildPhase(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
