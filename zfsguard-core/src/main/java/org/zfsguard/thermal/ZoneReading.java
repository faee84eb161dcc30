package org.zfsguard.thermal;

import java.util.OptionalInt;

/** What one {@code /sys/class/thermal/thermal_zoneN} said: a usable reading or why it was rejected. */
public sealed interface ZoneReading {

    /** The directory name, such as {@code thermal_zone0}. */
    String zone();

    /** The content of its {@code type} file, or {@code "?"} when that was unreadable. */
    String type();

    /** A plausible temperature, in millidegrees Celsius as sysfs gives it. */
    record Valid(String zone, String type, ZoneKind kind, int milliCelsius, OptionalInt criticalMilliCelsius)
            implements ZoneReading {

        public double celsius() {
            return milliCelsius / 1000.0;
        }

        /** True when the zone reached its own critical trip point. */
        public boolean atCritical() {
            return criticalMilliCelsius.isPresent() && milliCelsius >= criticalMilliCelsius.getAsInt();
        }
    }

    /** A zone that could not be used, with the reason for a message. */
    record Rejected(String zone, String type, String reason) implements ZoneReading {
    }
}
