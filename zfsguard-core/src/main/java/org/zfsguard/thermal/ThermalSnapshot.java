package org.zfsguard.thermal;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Every thermal zone of the system at one moment, and the one that limits a build. */
public record ThermalSnapshot(List<ZoneReading> zones) {

    public ThermalSnapshot {
        zones = List.copyOf(zones);
    }

    /** True when the system has no thermal zones at all (typical of x86 virtual machines). */
    public boolean noZones() {
        return zones.isEmpty();
    }

    /** The zones that count for a build: every valid CPU zone, or valid platform zones when there is none. */
    public List<ZoneReading.Valid> limitingZones() {
        List<ZoneReading.Valid> cpu = valid(ZoneKind.CPU);
        return cpu.isEmpty() ? valid(ZoneKind.PLATFORM) : cpu;
    }

    /** The hottest limiting zone, if any zone is usable. */
    public Optional<ZoneReading.Valid> hottest() {
        return limitingZones().stream().max(Comparator.comparingInt(ZoneReading.Valid::milliCelsius));
    }

    /** The limiting zones that reached their own critical trip point. */
    public List<ZoneReading.Valid> atCritical() {
        return limitingZones().stream().filter(ZoneReading.Valid::atCritical).toList();
    }

    private List<ZoneReading.Valid> valid(ZoneKind kind) {
        return zones.stream().filter(z -> z instanceof ZoneReading.Valid v && v.kind() == kind)
                .map(z -> (ZoneReading.Valid) z).toList();
    }

    public List<ZoneReading.Rejected> rejected() {
        return zones.stream().filter(z -> z instanceof ZoneReading.Rejected)
                .map(z -> (ZoneReading.Rejected) z).toList();
    }

    /** The sample the thermal guard works with. */
    public ThermalSample sample() {
        Optional<ZoneReading.Valid> hot = hottest();
        if (hot.isEmpty()) {
            return ThermalSample.unavailable(describe());
        }
        List<ZoneReading.Valid> critical = atCritical();
        ZoneReading.Valid h = hot.get();
        return new ThermalSample(true, h.milliCelsius(), h.zone() + " (" + h.type() + ")",
                !critical.isEmpty(),
                critical.isEmpty() ? h.criticalMilliCelsius() : critical.get(0).criticalMilliCelsius(),
                describe());
    }

    /** One line for people: which zone limits, or why none does. */
    public String describe() {
        if (noZones()) {
            return "no thermal zones under /sys/class/thermal; building without a temperature limit";
        }
        Optional<ZoneReading.Valid> hot = hottest();
        if (hot.isPresent()) {
            ZoneReading.Valid h = hot.get();
            return String.format("%s (%s) %.1f C%s", h.zone(), h.type(), h.celsius(),
                    h.criticalMilliCelsius().isPresent()
                            ? String.format(", critical %.1f C", h.criticalMilliCelsius().getAsInt() / 1000.0)
                            : ", no critical trip point");
        }
        String others = zones.stream().map(z -> z.zone() + " (" + z.type() + ")"
                + (z instanceof ZoneReading.Rejected r ? ": " + r.reason() : ": not a CPU or SoC zone"))
                .collect(Collectors.joining("; "));
        return "no usable CPU or SoC thermal zone: " + others;
    }
}
