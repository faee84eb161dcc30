package org.zfsguard.thermal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.zfsguard.system.SystemRoot;

/**
 * The thermal zones of {@code /sys/class/thermal} under a {@link SystemRoot}.
 *
 * <p>Every value is treated as untrusted: a driver can report an error code as a
 * negative temperature, a wrapped unsigned value, or garbage. Such a zone is rejected
 * with a reason and the others still count.
 */
public final class ThermalZones implements ThermalSource {
    public static final String DIR = "/sys/class/thermal";

    /** Below this (0 C) a reading is a driver error code or "no data", not a temperature. */
    static final int MIN_VALID_MILLI = 1;
    /** No silicon runs above 150 C; a value above it is a broken or mis-scaled sensor. */
    static final int MAX_VALID_MILLI = 150_000;

    private static final Pattern ZONE_NAME = Pattern.compile("thermal_zone([0-9]{1,4})");
    private static final Pattern TRIP_TYPE = Pattern.compile("trip_point_([0-9]{1,3})_type");
    private static final Pattern TYPE_TEXT = Pattern.compile("[A-Za-z0-9._ +-]{1,64}");
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,12}");
    private static final int MAX_FILE_BYTES = 128;
    private static final int MAX_ZONES = 256;

    private final SystemRoot root;

    public ThermalZones(SystemRoot root) {
        this.root = root;
    }

    @Override
    public ThermalSnapshot read() {
        Path dir = root.resolve(DIR);
        TreeMap<Integer, String> names = new TreeMap<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "thermal_zone*")) {
                for (Path entry : entries) {
                    Matcher m = ZONE_NAME.matcher(entry.getFileName().toString());
                    if (m.matches() && names.size() < MAX_ZONES) {
                        names.put(Integer.parseInt(m.group(1)), m.group());
                    }
                }
            } catch (IOException e) {
                return new ThermalSnapshot(List.of(new ZoneReading.Rejected(DIR, "?",
                        "cannot list: " + SystemRoot.printable(String.valueOf(e.getMessage())))));
            }
        }
        List<ZoneReading> zones = new ArrayList<>();
        for (String name : names.values()) {
            zones.add(readZone(name));
        }
        return new ThermalSnapshot(zones);
    }

    private ZoneReading readZone(String name) {
        Path zoneDir;
        try {
            // In sysfs each entry is a symlink into /sys/devices; follow it as the target would.
            zoneDir = root.resolveAll(DIR + "/" + name);
        } catch (IOException | IllegalArgumentException e) {
            return new ZoneReading.Rejected(name, "?", "cannot resolve the zone directory");
        }
        String type;
        try {
            type = readSmall(zoneDir.resolve("type")).strip();
        } catch (IOException e) {
            return new ZoneReading.Rejected(name, "?", "type unreadable: " + why(e));
        }
        if (!TYPE_TEXT.matcher(type).matches()) {
            return new ZoneReading.Rejected(name, "?", "type is not a zone name: '" + SystemRoot.printable(type) + "'");
        }
        String tempText;
        try {
            tempText = readSmall(zoneDir.resolve("temp"));
        } catch (IOException e) {
            return new ZoneReading.Rejected(name, type, "temp unreadable: " + why(e));
        }
        Parsed temp = parseMilliCelsius(tempText);
        if (temp.error() != null) {
            return new ZoneReading.Rejected(name, type, "temp " + temp.error());
        }
        return new ZoneReading.Valid(name, type, ZoneKind.classify(type), temp.value(), criticalTrip(zoneDir));
    }

    /** The lowest valid critical trip point of a zone; implausible trip values are ignored. */
    private static OptionalInt criticalTrip(Path zoneDir) {
        TreeMap<Integer, Path> tripTypes = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(zoneDir, "trip_point_*_type")) {
            for (Path entry : entries) {
                Matcher m = TRIP_TYPE.matcher(entry.getFileName().toString());
                if (m.matches() && tripTypes.size() < MAX_ZONES) {
                    tripTypes.put(Integer.parseInt(m.group(1)), entry);
                }
            }
        } catch (IOException e) {
            return OptionalInt.empty();
        }
        int best = Integer.MAX_VALUE;
        for (var trip : tripTypes.entrySet()) {
            try {
                if (!"critical".equals(readSmall(trip.getValue()).strip())) {
                    continue;
                }
                Parsed t = parseMilliCelsius(readSmall(zoneDir.resolve("trip_point_" + trip.getKey() + "_temp")));
                if (t.error() == null) {
                    best = Math.min(best, t.value());
                }
            } catch (IOException e) {
                // An unreadable trip point is no trip point; the guard still has max_temp.
            }
        }
        return best == Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of(best);
    }

    /** A parsed millidegree value or why it is not one. */
    record Parsed(int value, String error) {
    }

    /** Parses sysfs millidegrees, rejecting garbage, error codes and absurd values. */
    static Parsed parseMilliCelsius(String text) {
        String t = text.strip();
        if (!INTEGER.matcher(t).matches()) {
            return new Parsed(0, "is not a number: '" + SystemRoot.printable(t) + "'");
        }
        long v = Long.parseLong(t);
        if (v < MIN_VALID_MILLI) {
            return new Parsed(0, "is " + v + " (not above 0 C: a driver error code or no reading)");
        }
        if (v > MAX_VALID_MILLI) {
            return new Parsed(0, "is " + v + " (above 150 C: a broken or mis-scaled sensor)");
        }
        return new Parsed((int) v, null);
    }

    private static String readSmall(Path file) throws IOException {
        if (!SystemRoot.isPlainFile(file)) {
            // sysfs attributes are plain files; a symlink here could point outside the root.
            throw Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    ? new IOException("not a plain file") : new NoSuchFileException(file.toString());
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES) {
                throw new IOException("longer than " + MAX_FILE_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static String why(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "missing";
        }
        return SystemRoot.printable(String.valueOf(e.getMessage()));
    }
}
