package org.zfsguard.pin;

import org.zfsguard.kernel.KernelRelease;

/**
 * One package version apt must not choose: it installs or pulls in a kernel
 * outside the Linux range of the OpenZFS on the machine.
 */
public record Hold(String packageName, String version, KernelRelease kernel, String reason) {
}
