package org.zfsguard.thermal;

import java.util.Locale;
import java.util.Set;

/**
 * What a thermal zone measures, judged from its {@code type} file.
 *
 * <p>Only {@link #CPU} zones (and, when a board has none, {@link #PLATFORM}) limit a build.
 * GPU and accelerator zones are deliberately left out: a ZFS compile loads the CPU
 * clusters, and on Rockchip and Allwinner SoCs each cluster has its own sensor where
 * that heat shows first. A GPU zone reads heat from other work (a desktop, video
 * decoding) that pausing the build cannot remove, so honouring it would stop a build,
 * and eventually abort it as paused too long, for heat the build does not cause. The
 * kernel's own thermal framework still throttles the GPU against its trip points.
 */
public enum ZoneKind {
    /** CPU cores or the whole SoC package: what a compile heats. */
    CPU,
    /** A board or chipset zone (ACPI {@code acpitz}): a coarse stand-in when no CPU zone exists. */
    PLATFORM,
    /** GPU, NPU, video engine: on the die, but not heated by a compile. */
    ACCELERATOR,
    /** Anything else: Wi-Fi, battery, PMIC, NVMe, DDR, chargers. */
    OTHER;

    // Zone type names as the device trees and drivers name them:
    // Rockchip RK3328/RK356x/RK3588 (vendor and mainline), RK3399 mainline,
    // Allwinner H3/H5/H6/H616/A64 mainline and the sunxi BSP kernels, Amlogic,
    // Raspberry Pi, Intel and AMD x86.
    private static final Set<String> CPU_TYPES = Set.of(
            "soc-thermal", "soc_thermal", "cpu-thermal", "cpu_thermal", "cpu0-thermal", "cpu1-thermal",
            "package-thermal", "center-thermal", "bigcore0-thermal", "bigcore1-thermal",
            "bigcore2-thermal", "littlecore-thermal", "cpul_thermal_zone", "cpub_thermal_zone",
            "cpu_thermal_zone", "soc_thermal_zone", "x86_pkg_temp", "tcpu", "b0d4", "k10temp",
            "cpu0_thermal", "cpu1_thermal", "cpu-0-0-thermal", "cpu-0-1-thermal");
    private static final Set<String> PLATFORM_TYPES = Set.of("acpitz");

    /** The kind of a zone whose {@code type} file holds {@code type}. */
    public static ZoneKind classify(String type) {
        String t = type.strip().toLowerCase(Locale.ROOT);
        if (CPU_TYPES.contains(t)) {
            return CPU;
        }
        if (PLATFORM_TYPES.contains(t)) {
            return PLATFORM;
        }
        if (t.startsWith("gpu") || t.startsWith("npu") || t.startsWith("ve-") || t.startsWith("ve_")
                || t.startsWith("vpu") || t.startsWith("isp")) {
            return ACCELERATOR;
        }
        // Unknown SoCs still name their CPU zones after the CPU or its clusters.
        if (t.startsWith("cpu") || t.startsWith("bigcore") || t.startsWith("littlecore")
                || t.startsWith("soc") || t.startsWith("cluster")) {
            return CPU;
        }
        return OTHER;
    }
}
