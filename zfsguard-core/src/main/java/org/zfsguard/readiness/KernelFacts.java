package org.zfsguard.readiness;

import java.util.List;

import org.zfsguard.kernel.InstalledKernel;
import org.zfsguard.kernel.KernelRelease;

/**
 * Everything read from disk about one kernel, before any judgement.
 *
 * @param installed the inventory entry, or null when the kernel is only named (running, boot link)
 * @param zfs the zfs module, or null when none was found
 * @param spl the spl module, or null when none was found
 * @param missingModules modules of the expected layout that were not found
 * @param dkmsInstalled version DKMS marks as installed for this kernel, or null
 * @param dkmsBuilt versions DKMS has built for this kernel
 * @param initramfs initramfs facts, or null when not looked at yet
 * @param architecture the kernel's machine ({@code KernelArch}), or null when it cannot be told
 */
public record KernelFacts(KernelRelease release, InstalledKernel installed, ModuleFacts zfs, ModuleFacts spl,
        List<String> missingModules, String dkmsInstalled, List<String> dkmsBuilt, InitramfsFacts initramfs,
        String architecture) {

    /** Facts of a kernel whose architecture is not known (not checked). */
    public KernelFacts(KernelRelease release, InstalledKernel installed, ModuleFacts zfs, ModuleFacts spl,
            List<String> missingModules, String dkmsInstalled, List<String> dkmsBuilt, InitramfsFacts initramfs) {
        this(release, installed, zfs, spl, missingModules, dkmsInstalled, dkmsBuilt, initramfs, null);
    }

    public KernelFacts withInitramfs(InitramfsFacts i) {
        return new KernelFacts(release, installed, zfs, spl, missingModules, dkmsInstalled, dkmsBuilt, i, architecture);
    }
}
