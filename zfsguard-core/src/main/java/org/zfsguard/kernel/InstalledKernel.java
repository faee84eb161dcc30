package org.zfsguard.kernel;

/**
 * A kernel found on disk.
 *
 * @param modulesDir target path of its module tree ({@code /lib/modules/<k>}), or null when it has none
 * @param image target path of its image ({@code /boot/vmlinuz-<k>}), or null
 * @param owner the package that installed it, or null when dpkg does not know it
 * @param modulesProblem why its module tree could not be read (a loop, an error), or null: then
 *        "no module tree" is not known, and no verdict may say MISSING
 */
public record InstalledKernel(KernelRelease release, String modulesDir, String image, String owner, String modulesProblem) {

    public InstalledKernel(KernelRelease release, String modulesDir, String image, String owner) {
        this(release, modulesDir, image, owner, null);
    }
}
