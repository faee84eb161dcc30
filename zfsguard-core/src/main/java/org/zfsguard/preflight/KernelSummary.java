package org.zfsguard.preflight;

import java.util.Objects;
import java.util.Optional;

/**
 * One installed kernel as the preflight sees it: a summary the readiness
 * engine provides (its own types are richer; this record stays minimal).
 *
 * @param imagePackage the package that owns {@code /boot/vmlinuz-<release>}, when known
 * @param zfsModuleOk  a ZFS module built for exactly this kernel, from the installed OpenZFS, is present
 * @param headers      headers for this kernel are installed (DKMS can build for it)
 * @param running      this is the running kernel
 */
public record KernelSummary(String release, Optional<String> imagePackage, boolean zfsModuleOk, boolean headers,
        boolean running) {
    public KernelSummary {
        Objects.requireNonNull(release, "release");
        Objects.requireNonNull(imagePackage, "imagePackage");
    }
}
