package org.zfsguard.thermal;

/** Where temperatures come from: sysfs on a real system, a script in tests. */
@FunctionalInterface
public interface ThermalSource {
    /** Reads every zone now. Never throws: unreadable zones come back as rejected readings. */
    ThermalSnapshot read();
}
