package org.zfsguard.apt;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a package is to zfsguard, told from its name alone. Names are enough to
 * sort packages; whether a package really carries a kernel, and which release,
 * is read from its .deb ({@code deb.DebPackage}), because Debian's
 * {@code linux-image-arm64} (a metapackage) and Armbian's
 * {@code linux-image-current-rockchip64} (a kernel) look alike.
 */
public enum PackageRole {
    /** A kernel: {@code linux-image-<release>}, {@code linux-image-unsigned-<release>}, Armbian {@code linux-image-<branch>-<family>}. */
    KERNEL_IMAGE,
    /** Any other {@code linux-image-*}: a metapackage such as {@code linux-image-amd64} or {@code linux-image-generic}. */
    KERNEL_METAPACKAGE,
    /** {@code linux-headers-*}. */
    KERNEL_HEADERS,
    /** Ubuntu's {@code linux-modules-<release>} and {@code linux-modules-extra-<release>}. */
    KERNEL_MODULES,
    /** Armbian's {@code linux-dtb-<branch>-<family>}. */
    DEVICE_TREE,
    /** OpenZFS: {@code zfs-dkms}, {@code spl-dkms}, {@code zfsutils-linux}, {@code zfs-initramfs}, {@code zfs-dracut}. */
    OPENZFS,
    /** What builds and packs the module: dkms, kbuild, initramfs-tools, dracut. */
    BUILD_TOOLING,
    OTHER;

    /** Armbian's kernel branches (FIELD-NOTES §1). */
    static final Set<String> ARMBIAN_BRANCHES = Set.of("legacy", "vendor", "current", "edge", "bleedingedge");
    private static final Set<String> OPENZFS_NAMES =
            Set.of("zfs-dkms", "spl-dkms", "zfsutils-linux", "zfs-initramfs", "zfs-dracut");
    private static final Set<String> TOOLING_NAMES =
            Set.of("dkms", "initramfs-tools", "initramfs-tools-core", "dracut", "dracut-core");
    /** A Debian or Ubuntu kernel release as it appears in package names: starts with a digit. */
    private static final Pattern VERSIONED = Pattern.compile("[0-9]+\\.[0-9]+[a-z0-9.+-]*");

    public static PackageRole of(String name) {
        if (name.startsWith("linux-image-")) {
            return kernelRelease(name).isPresent() || isArmbian(name, "linux-image-")
                    ? KERNEL_IMAGE : KERNEL_METAPACKAGE;
        }
        if (name.startsWith("linux-headers-")) {
            return KERNEL_HEADERS;
        }
        if (name.startsWith("linux-modules-")) {
            return KERNEL_MODULES;
        }
        if (name.startsWith("linux-dtb-")) {
            return DEVICE_TREE;
        }
        if (OPENZFS_NAMES.contains(name)) {
            return OPENZFS;
        }
        if (TOOLING_NAMES.contains(name) || name.startsWith("linux-kbuild-")) {
            return BUILD_TOOLING;
        }
        return OTHER;
    }

    /**
     * The kernel release a Debian or Ubuntu kernel package names
     * ({@code linux-image-6.1.0-56-arm64}, {@code linux-image-unsigned-6.8.0-31-generic},
     * {@code linux-modules-extra-6.8.0-31-generic}); empty for Armbian names,
     * metapackages and debug-symbol packages, whose release only the .deb tells.
     */
    public static Optional<String> kernelRelease(String name) {
        String rest;
        if (name.startsWith("linux-image-unsigned-")) {
            rest = name.substring("linux-image-unsigned-".length());
        } else if (name.startsWith("linux-image-")) {
            rest = name.substring("linux-image-".length());
        } else if (name.startsWith("linux-modules-extra-")) {
            rest = name.substring("linux-modules-extra-".length());
        } else if (name.startsWith("linux-modules-")) {
            rest = name.substring("linux-modules-".length());
        } else {
            return Optional.empty();
        }
        if (rest.endsWith("-dbg") || rest.endsWith("-dbgsym") || !VERSIONED.matcher(rest).matches()) {
            return Optional.empty();
        }
        return Optional.of(rest);
    }

    /** True for Armbian's {@code <prefix><branch>-<family>} names, which keep their name across kernel versions. */
    public static boolean isArmbian(String name, String prefix) {
        if (!name.startsWith(prefix)) {
            return false;
        }
        String rest = name.substring(prefix.length());
        int dash = rest.indexOf('-');
        return dash > 0 && dash < rest.length() - 1 && ARMBIAN_BRANCHES.contains(rest.substring(0, dash));
    }
}
