package org.zfsguard.readiness;

import java.util.List;

import org.zfsguard.kernel.NextBoot;
import org.zfsguard.kernel.RejectedEntry;
import org.zfsguard.kernel.RunningKernel;
import org.zfsguard.zfs.OpenZfsSources;

/**
 * The whole answer to "will ZFS load after the next reboot".
 *
 * @param zfsInstalled false when there is no sign of ZFS at all (no module, source tree, DKMS entry or package)
 * @param initramfsReason why the initramfs matters here, or why not
 * @param kernels highest release first
 * @param rejected entries that are not kernels (bad names, loops, leftovers)
 */
public record ReadinessReport(String root, boolean zfsInstalled, OpenZfsSources openzfs, RunningKernel running,
        NextBoot nextBoot, boolean initramfsRequired, String initramfsReason, List<KernelReadiness> kernels,
        List<RejectedEntry> rejected, Overall overall, String overallReason) {

    /** Is the next boot safe. */
    public enum Overall {
        SAFE, NOT_SAFE, UNKNOWN, NO_ZFS
    }

    public ReadinessReport {
        kernels = List.copyOf(kernels);
        rejected = List.copyOf(rejected);
    }

    /** The row of the next-boot kernel, or null. */
    public KernelReadiness nextBootKernel() {
        for (KernelReadiness k : kernels) {
            if (k.nextBoot()) {
                return k;
            }
        }
        return null;
    }
}
