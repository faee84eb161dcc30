package org.zfsguard.deb;

import org.zfsguard.zfs.OpenZfsMeta;
import org.zfsguard.kernel.KernelSeries;


/**
 * The facts of an OpenZFS source tree's META file ({@code /usr/src/zfs-<v>/META}):
 * {@code Version: 2.4.0}, {@code Release: 1}, {@code Linux-Minimum: 4.18},
 * {@code Linux-Maximum: 6.18}, with the kernel range as {@link KernelSeries} for
 * the preflight's comparisons. Parsed by {@link OpenZfsMeta}.
 */
public record ZfsSourceMeta(String version, String release, KernelSeries linuxMinimum, KernelSeries linuxMaximum) {

    /** True when OpenZFS's configure accepts a kernel of {@code series} (it compares major.minor). */
    public boolean supports(KernelSeries series) {
        return series.compareTo(linuxMinimum) >= 0 && series.compareTo(linuxMaximum) <= 0;
    }

    /** Parses META text (with the one META parser); the message of the exception says what is wrong. */
    public static ZfsSourceMeta parse(String text) throws IllegalArgumentException {
        OpenZfsMeta meta;
        try {
            meta = OpenZfsMeta.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("META: " + e.getMessage(), e);
        }
        KernelSeries minimum = KernelSeries.of(meta.linuxMinimum()).orElseThrow();
        KernelSeries maximum = KernelSeries.of(meta.linuxMaximum()).orElseThrow();
        if (minimum.compareTo(maximum) > 0) {
            throw new IllegalArgumentException("META Linux-Minimum " + minimum + " is above Linux-Maximum " + maximum);
        }
        return new ZfsSourceMeta(meta.version(), meta.release() == null ? "" : meta.release(), minimum, maximum);
    }
}
