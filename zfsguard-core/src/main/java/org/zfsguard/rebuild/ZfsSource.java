package org.zfsguard.rebuild;

import java.util.Optional;
import org.zfsguard.kernel.KernelSeries;

/**
 * The installed OpenZFS source DKMS builds from: its version and the Linux range from
 * its {@code META} file ({@code Linux-Minimum}, {@code Linux-Maximum}). To be
 * reconciled with the {@code zfs} package's META reader; an absent bound is not checked.
 */
public record ZfsSource(String version, Optional<KernelSeries> linuxMinimum, Optional<KernelSeries> linuxMaximum) {
    public ZfsSource {
        DkmsInvocation.checkVersion(version);
    }

    public static ZfsSource of(String version, String min, String max) {
        return new ZfsSource(version, KernelSeries.of(min), KernelSeries.of(max));
    }
}
