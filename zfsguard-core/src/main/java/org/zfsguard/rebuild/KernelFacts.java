package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;

/**
 * What the planner needs to know about one kernel, gathered by the caller (readiness
 * engine, inventory) so that planning stays a pure function.
 *
 * @param installed      {@code /lib/modules/<k>} and the kernel image exist
 * @param headersPresent {@code /lib/modules/<k>/build/include} exists (what DKMS checks)
 * @param bootsNext      the boot loader will start this kernel next
 */
public record KernelFacts(KernelRelease kernel, boolean installed, boolean headersPresent, boolean bootsNext,
        ModuleState module) {
}
