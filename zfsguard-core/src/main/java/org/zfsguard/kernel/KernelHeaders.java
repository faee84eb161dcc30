package org.zfsguard.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.zfsguard.apt.PackageRole;
import org.zfsguard.system.SystemRoot;

/**
 * A kernel's headers, which DKMS needs to build ZFS: which package provides them and
 * whether they are installed. The preflight, the rebuild plan and the status
 * suggestions all ask here, so that they name the same package and agree on "present".
 */
public final class KernelHeaders {
    // <version>-<branch>-<family>, the release form of Armbian kernels since 2023.
    private static final Pattern ARMBIAN = Pattern.compile(
            "[0-9]+\\.[0-9]+(?:\\.[0-9]+)?-(legacy|vendor|current|edge|bleedingedge)-([a-z0-9][a-z0-9-]{0,40})");

    private KernelHeaders() {
    }

    /**
     * The headers package for {@code release}, whose image package is {@code imagePackage}
     * (null when unknown, then told from the release alone). Armbian names headers after branch and family
     * ({@code linux-headers-current-rockchip64}), Debian and Ubuntu after the release.
     */
    public static String packageFor(String imagePackage, String release) {
        if (imagePackage != null && PackageRole.isArmbian(imagePackage, "linux-image-")) {
            return "linux-headers-" + imagePackage.substring("linux-image-".length());
        }
        if (imagePackage == null) {
            Matcher m = ARMBIAN.matcher(release);
            if (m.matches()) {
                return "linux-headers-" + m.group(1) + "-" + m.group(2);
            }
        }
        return "linux-headers-" + release.toLowerCase(Locale.ROOT);
    }

    /** {@link #packageFor(String, String)} when only the release is known. */
    public static String packageFor(KernelRelease release) {
        return packageFor(null, release.text());
    }

    /**
     * True when DKMS can build for {@code release}: {@code /lib/modules/K/build/include}
     * (followed inside the root), or the Debian headers tree {@code /usr/src/linux-headers-K}.
     */
    public static boolean present(SystemRoot root, KernelRelease release) {
        try {
            if (Files.isDirectory(root.resolveAll("/lib/modules/" + release.text() + "/build/include"))) {
                return true;
            }
        } catch (IOException | IllegalArgumentException e) {
            // a dangling, looping or escaping build link: look for the headers package's tree instead
        }
        return Files.isDirectory(root.resolve("/usr/src/linux-headers-" + release.text()), LinkOption.NOFOLLOW_LINKS);
    }
}
