package org.zfsguard.deb;

import org.zfsguard.kernel.KernelRelease;

/**
 * A kernel release that a .deb installs files for, and which kinds.
 *
 * @param image   ships {@code /boot/vmlinuz-<release>}
 * @param modules ships modules under {@code /lib/modules/<release>/} or {@code /usr/lib/modules/<release>/}
 * @param headers ships {@code /usr/src/linux-headers-<release>} or the {@code build} link of the modules directory
 */
public record IncomingKernel(String release, boolean image, boolean modules, boolean headers) {
    public IncomingKernel {
        KernelRelease.require(release);
    }

    IncomingKernel merge(IncomingKernel o) {
        return new IncomingKernel(release, image || o.image, modules || o.modules, headers || o.headers);
    }
}
