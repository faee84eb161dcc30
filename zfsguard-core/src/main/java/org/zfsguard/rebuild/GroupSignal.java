package org.zfsguard.rebuild;

/** Signals the runner sends to the build's whole process group. */
public enum GroupSignal {
    STOP, CONT, TERM, KILL
}
