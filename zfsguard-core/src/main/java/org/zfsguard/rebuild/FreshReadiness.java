package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import java.util.Optional;

import org.zfsguard.readiness.KernelReadiness;
import org.zfsguard.readiness.ReadinessEngine;
import org.zfsguard.system.SystemRoot;

/** The readiness of one kernel read again from disk: after a build, a restore or update-initramfs. */
final class FreshReadiness {
    private FreshReadiness() {
    }

    static Optional<KernelReadiness> of(SystemRoot root, KernelRelease k) {
        for (KernelReadiness r : new ReadinessEngine(root).evaluate().kernels()) {
            if (r.facts().release().text().equals(k.text())) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
