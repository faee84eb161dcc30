package org.zfsguard.thermal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A fake {@code /sys/class/thermal} tree under a test root, laid out as the kernel does:
 * {@code thermal_zoneN} symlinks into {@code /sys/devices/virtual/thermal/}.
 */
public final class FakeSysfs {
    private final Path root;

    public FakeSysfs(Path root) {
        this.root = root;
    }

    /** Adds zone {@code n} with {@code type} and {@code temp} (raw text, as the driver would write it). */
    public FakeSysfs zone(int n, String type, String temp) {
        try {
            Path device = root.resolve("sys/devices/virtual/thermal/thermal_zone" + n);
            Files.createDirectories(device);
            Files.writeString(device.resolve("type"), type + "\n");
            Files.writeString(device.resolve("temp"), temp + "\n");
            Path cls = root.resolve("sys/class/thermal");
            Files.createDirectories(cls);
            Files.createSymbolicLink(cls.resolve("thermal_zone" + n),
                    Path.of("../../devices/virtual/thermal/thermal_zone" + n));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds trip point {@code i} of zone {@code n}. */
    public FakeSysfs trip(int n, int i, String type, String temp) {
        try {
            Path device = root.resolve("sys/devices/virtual/thermal/thermal_zone" + n);
            Files.writeString(device.resolve("trip_point_" + i + "_type"), type + "\n");
            Files.writeString(device.resolve("trip_point_" + i + "_temp"), temp + "\n");
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites the temperature of zone {@code n}, as the sensor would between two reads. */
    public void setTemp(int n, String temp) {
        try {
            Files.writeString(root.resolve("sys/devices/virtual/thermal/thermal_zone" + n + "/temp"), temp + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path zoneDir(int n) {
        return root.resolve("sys/devices/virtual/thermal/thermal_zone" + n);
    }
}
