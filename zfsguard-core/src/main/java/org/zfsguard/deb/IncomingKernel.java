package org.zfsguard.deb;

import java.util.regex.Pattern;

/**
 * A kernel release that a .deb installs files for, and which kinds. Deliberately
 * small (the readiness engine's KernelRelease replaces the string later).
 *
 * @param image   ships {@code /boot/vmlinuz-<release>}
 * @param modules ships modules under {@code /lib/modules/<release>/} or {@code /usr/lib/modules/<release>/}
 * @param headers ships {@code /usr/src/linux-headers-<release>} or the {@code build} link of the modules directory
 */
public record IncomingKernel(String release, boolean image, boolean modules, boolean headers) {
    /** What a kernel reports as its release: starts with a digit, no slash, no spaces, bounded. */
    private static final Pattern RELEASE = Pattern.compile("[0-9][A-Za-z0-9._+~-]{0,127}");

    public IncomingKernel {
        if (!isValidRelease(release)) {
            throw new IllegalArgumentException("not a kernel release: " + release);
        }
    }

    public static boolean isValidRelease(String s) {
        return s != null && RELEASE.matcher(s).matches() && !s.contains("..");
    }

    IncomingKernel merge(IncomingKernel o) {
        return new IncomingKernel(release, image || o.image, modules || o.modules, headers || o.headers);
    }
}
