package org.zfsguard.thermal;

import java.util.OptionalInt;

/**
 * One temperature reading as the thermal guard sees it.
 *
 * @param available         false when no usable zone could be read this time
 * @param milliCelsius      the hottest limiting zone, in millidegrees (0 when unavailable)
 * @param zone              which zone that was, for messages
 * @param criticalReached   true when any limiting zone reached its own critical trip point
 * @param criticalMilliCelsius the critical trip point that applies, when the zone has one
 * @param description       one line for people
 */
public record ThermalSample(boolean available, int milliCelsius, String zone, boolean criticalReached,
        OptionalInt criticalMilliCelsius, String description) {

    public static ThermalSample unavailable(String why) {
        return new ThermalSample(false, 0, "", false, OptionalInt.empty(), why);
    }

    /** A sample of {@code celsius} degrees from a zone without a critical trip point (tests, fakes). */
    public static ThermalSample of(double celsius) {
        return new ThermalSample(true, (int) Math.round(celsius * 1000), "test", false, OptionalInt.empty(),
                celsius + " C");
    }

    public double celsius() {
        return milliCelsius / 1000.0;
    }
}
