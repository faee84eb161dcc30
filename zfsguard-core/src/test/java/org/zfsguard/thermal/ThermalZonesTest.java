package org.zfsguard.thermal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.system.SystemRoot;

class ThermalZonesTest {
    @TempDir
    Path fakeRoot;

    private ThermalSnapshot read() {
        return new ThermalZones(SystemRoot.at(fakeRoot)).read();
    }

    @Test
    void rk3588VendorKernelPicksHottestCpuZoneAndIgnoresGpuAndNpu() {
        new FakeSysfs(fakeRoot)
                .zone(0, "soc-thermal", "52750").trip(0, 0, "passive", "85000").trip(0, 1, "critical", "115000")
                .zone(1, "bigcore0-thermal", "61200").trip(1, 0, "critical", "115000")
                .zone(2, "bigcore1-thermal", "60800")
                .zone(3, "littlecore-thermal", "55000")
                .zone(4, "center-thermal", "53600")
                .zone(5, "gpu-thermal", "90000")
                .zone(6, "npu-thermal", "88000");

        ThermalSnapshot s = read();

        assertThat(s.noZones()).isFalse();
        assertThat(s.zones()).hasSize(7);
        assertThat(s.hottest()).get().satisfies(z -> {
            assertThat(z.zone()).isEqualTo("thermal_zone1");
            assertThat(z.type()).isEqualTo("bigcore0-thermal");
            assertThat(z.celsius()).isEqualTo(61.2);
            assertThat(z.criticalMilliCelsius()).isEqualTo(OptionalInt.of(115000));
        });
        assertThat(s.limitingZones()).extracting(ZoneReading.Valid::type)
                .containsExactly("soc-thermal", "bigcore0-thermal", "bigcore1-thermal", "littlecore-thermal",
                        "center-thermal");
        assertThat(s.sample().milliCelsius()).isEqualTo(61200);
        assertThat(s.sample().criticalReached()).isFalse();
        assertThat(s.describe()).isEqualTo("thermal_zone1 (bigcore0-thermal) 61.2 C, critical 115.0 C");
    }

    @Test
    void rk3399MainlineCpuThermal() {
        new FakeSysfs(fakeRoot).zone(0, "cpu-thermal", "47222").trip(0, 2, "critical", "95000")
                .zone(1, "gpu-thermal", "46111");
        assertThat(read().hottest()).get().extracting(ZoneReading.Valid::milliCelsius).isEqualTo(47222);
    }

    @Test
    void allwinnerBspZoneNamesAreCpuZones() {
        new FakeSysfs(fakeRoot).zone(0, "cpul_thermal_zone", "43000").zone(1, "gpu_thermal_zone", "70000")
                .zone(2, "ddr_thermal_zone", "71000");
        ThermalSnapshot s = read();
        assertThat(s.hottest()).get().extracting(ZoneReading.Valid::type).isEqualTo("cpul_thermal_zone");
    }

    @Test
    void allwinnerH3UnderscoreName() {
        new FakeSysfs(fakeRoot).zone(0, "cpu_thermal", "40500");
        assertThat(read().hottest()).get().extracting(ZoneReading.Valid::celsius).isEqualTo(40.5);
    }

    @Test
    void x86PrefersPackageOverAcpi() {
        new FakeSysfs(fakeRoot).zone(0, "acpitz", "27800").trip(0, 0, "critical", "119000")
                .zone(1, "x86_pkg_temp", "44000").zone(2, "iwlwifi_1", "60000");
        ThermalSnapshot s = read();
        assertThat(s.hottest()).get().extracting(ZoneReading.Valid::type).isEqualTo("x86_pkg_temp");
    }

    @Test
    void acpiZoneIsUsedWhenThereIsNoCpuZone() {
        new FakeSysfs(fakeRoot).zone(0, "acpitz", "27800").trip(0, 0, "critical", "119000");
        ThermalSnapshot s = read();
        assertThat(s.hottest()).get().extracting(ZoneReading.Valid::kind).isEqualTo(ZoneKind.PLATFORM);
    }

    @Test
    void noThermalDirectoryMeansNoZones() {
        ThermalSnapshot s = read();
        assertThat(s.noZones()).isTrue();
        assertThat(s.hottest()).isEmpty();
        assertThat(s.sample().available()).isFalse();
        assertThat(s.describe()).startsWith("no thermal zones");
    }

    @Test
    void emptyThermalDirectoryMeansNoZones() throws Exception {
        Files.createDirectories(fakeRoot.resolve("sys/class/thermal/cooling_device0"));
        assertThat(read().noZones()).isTrue();
    }

    @Test
    void hostileTemperaturesAreRejectedPerZoneWithAReason() {
        new FakeSysfs(fakeRoot)
                .zone(0, "cpu-thermal", "garbage")
                .zone(1, "bigcore0-thermal", "-22")
                .zone(2, "bigcore1-thermal", "4294967295")
                .zone(3, "littlecore-thermal", "0")
                .zone(4, "center-thermal", "150001")
                .zone(5, "soc-thermal", "58000");
        ThermalSnapshot s = read();

        assertThat(s.rejected()).extracting(ZoneReading.Rejected::zone)
                .containsExactly("thermal_zone0", "thermal_zone1", "thermal_zone2", "thermal_zone3", "thermal_zone4");
        assertThat(s.rejected().get(0).reason()).isEqualTo("temp is not a number: 'garbage'");
        assertThat(s.rejected().get(1).reason()).contains("-22").contains("error code");
        assertThat(s.rejected().get(2).reason()).contains("above 150 C");
        assertThat(s.rejected().get(3).reason()).contains("not above 0 C");
        assertThat(s.rejected().get(4).reason()).contains("above 150 C");
        assertThat(s.hottest()).get().extracting(ZoneReading.Valid::type).isEqualTo("soc-thermal");
    }

    @Test
    void zoneWithOnlyRejectedOrNonCpuReadingsGivesAnUnavailableSampleNamingThem() {
        new FakeSysfs(fakeRoot).zone(0, "cpu-thermal", "-273150").zone(1, "gpu-thermal", "50000");
        ThermalSnapshot s = read();
        assertThat(s.noZones()).isFalse();
        assertThat(s.sample().available()).isFalse();
        assertThat(s.describe()).startsWith("no usable CPU or SoC thermal zone")
                .contains("thermal_zone0 (cpu-thermal): temp is -273150")
                .contains("thermal_zone1 (gpu-thermal): not a CPU or SoC zone");
    }

    @Test
    void controlCharactersAndOversizedFilesAreRejected() throws Exception {
        new FakeSysfs(fakeRoot).zone(0, "cpu\u001b[2J", "50000").zone(1, "soc-thermal", "5".repeat(500));
        ThermalSnapshot s = read();
        assertThat(s.rejected()).hasSize(2);
        assertThat(s.rejected().get(0).reason()).contains("\\x1b").doesNotContain("\u001b");
        assertThat(s.rejected().get(1).reason()).contains("longer than");
    }

    @Test
    void missingTempFileIsRejected() throws Exception {
        FakeSysfs fake = new FakeSysfs(fakeRoot).zone(0, "cpu-thermal", "50000");
        Files.delete(fake.zoneDir(0).resolve("temp"));
        assertThat(read().rejected()).singleElement()
                .extracting(ZoneReading.Rejected::reason).isEqualTo("temp unreadable: missing");
    }

    @Test
    void tempSymlinkLeadingOutOfTheRootIsNotFollowed(@TempDir Path outside) throws Exception {
        Path secret = Files.writeString(outside.resolve("secret"), "42000\n");
        FakeSysfs fake = new FakeSysfs(fakeRoot).zone(0, "cpu-thermal", "50000");
        Files.delete(fake.zoneDir(0).resolve("temp"));
        Files.createSymbolicLink(fake.zoneDir(0).resolve("temp"), secret);
        assertThat(read().rejected()).singleElement()
                .extracting(ZoneReading.Rejected::reason).isEqualTo("temp unreadable: not a plain file");
    }

    @Test
    void criticalTripIsTheLowestValidCriticalOneAndImplausibleTripsAreIgnored() {
        new FakeSysfs(fakeRoot).zone(0, "cpu-thermal", "50000")
                .trip(0, 0, "passive", "70000")
                .trip(0, 1, "critical", "110000")
                .trip(0, 2, "critical", "105000")
                .trip(0, 3, "critical", "-1")
                .trip(0, 4, "hot", "60000");
        assertThat(read().hottest()).get().extracting(ZoneReading.Valid::criticalMilliCelsius)
                .isEqualTo(OptionalInt.of(105000));
    }

    @Test
    void criticalReachedOnAnyLimitingZoneEvenIfNotTheHottest() {
        new FakeSysfs(fakeRoot)
                .zone(0, "bigcore0-thermal", "96000").trip(0, 0, "critical", "115000")
                .zone(1, "littlecore-thermal", "95000").trip(1, 0, "critical", "95000");
        ThermalSample sample = read().sample();
        assertThat(sample.criticalReached()).isTrue();
        assertThat(sample.milliCelsius()).isEqualTo(96000);
        assertThat(sample.criticalMilliCelsius()).isEqualTo(OptionalInt.of(95000));
    }

    @Test
    void criticalOnGpuZoneDoesNotCountForTheBuild() {
        new FakeSysfs(fakeRoot).zone(0, "cpu-thermal", "60000")
                .zone(1, "gpu-thermal", "99000").trip(1, 0, "critical", "95000");
        assertThat(read().sample().criticalReached()).isFalse();
    }

    @Test
    void zonesAreOrderedNumericallyAndOtherEntriesIgnored() throws Exception {
        new FakeSysfs(fakeRoot).zone(10, "cpu-thermal", "41000").zone(2, "soc-thermal", "42000");
        Files.createDirectories(fakeRoot.resolve("sys/class/thermal/thermal_zoneX"));
        assertThat(read().zones()).extracting(ZoneReading::zone).containsExactly("thermal_zone2", "thermal_zone10");
    }

    @Test
    void readingsFollowTheSensorBetweenReads() {
        FakeSysfs fake = new FakeSysfs(fakeRoot).zone(0, "cpu-thermal", "50000");
        ThermalZones zones = new ThermalZones(SystemRoot.at(fakeRoot));
        assertThat(zones.read().sample().milliCelsius()).isEqualTo(50000);
        fake.setTemp(0, "81500");
        assertThat(zones.read().sample().celsius()).isEqualTo(81.5);
    }

    @Test
    void classifiesKnownTypeNames() {
        for (String cpu : new String[] {"soc-thermal", "cpu-thermal", "cpu_thermal", "bigcore0-thermal",
                "bigcore2-thermal", "littlecore-thermal", "center-thermal", "package-thermal", "cpul_thermal_zone",
                "cpub_thermal_zone", "x86_pkg_temp", "TCPU"}) {
            assertThat(ZoneKind.classify(cpu)).as(cpu).isEqualTo(ZoneKind.CPU);
        }
        for (String acc : new String[] {"gpu-thermal", "gpu_thermal_zone", "npu-thermal", "ve-thermal"}) {
            assertThat(ZoneKind.classify(acc)).as(acc).isEqualTo(ZoneKind.ACCELERATOR);
        }
        assertThat(ZoneKind.classify("acpitz")).isEqualTo(ZoneKind.PLATFORM);
        for (String other : new String[] {"iwlwifi_1", "ddr-thermal", "battery", "pch_cannonlake", "nvme"}) {
            assertThat(ZoneKind.classify(other)).as(other).isEqualTo(ZoneKind.OTHER);
        }
    }
}
