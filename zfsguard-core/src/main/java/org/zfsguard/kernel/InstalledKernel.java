package org.zfsguard.kernel;

/**
 * A kernel found on disk.
 *
 * @param modulesDir target path of its module tree ({@code /lib/modules/<k>}), or null when it has none
 * @param image target path of its image ({@code /boot/vmlinuz-<k>}), or null
 * @param owner the package that installed it, or null when dpkg does not know it
 */
public record InstalledKernel(KernelRelease release, String modulesDir, String image, String owner) {
}
