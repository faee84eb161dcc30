package org.zfsguard.apt;

import java.util.Objects;
import java.util.Optional;

/**
 * The net effect of one apt run on one package, merged from its unpack,
 * configure and remove lines.
 *
 * @param debPath the .deb that will be unpacked, when apt named one
 */
public record PackageChange(
        String name,
        Optional<String> oldVersion,
        Optional<String> newVersion,
        Kind kind,
        Optional<String> debPath,
        PackageRole role,
        boolean watched) {

    public enum Kind {
        /** Not installed before. */
        INSTALL,
        UPGRADE,
        DOWNGRADE,
        /** The same version again. */
        REINSTALL,
        /** Installed before, not after (remove or purge). */
        REMOVE,
        /** Only configured: unpacked by an earlier, interrupted run. */
        CONFIGURE_ONLY
    }

    public PackageChange {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(oldVersion, "oldVersion");
        Objects.requireNonNull(newVersion, "newVersion");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(debPath, "debPath");
        Objects.requireNonNull(role, "role");
    }

    /** Installed (in some version) once the run is over. */
    public boolean installedAfter() {
        return kind != Kind.REMOVE;
    }

    /**
     * A kernel package replaced by another version under the same name: dpkg
     * deletes the files of the old kernel, which may be the running one
     * (every Armbian kernel upgrade; Debian when the ABI name stays).
     */
    public boolean isInPlaceKernelUpgrade() {
        return role == PackageRole.KERNEL_IMAGE && oldVersion.isPresent() && newVersion.isPresent()
                && kind != Kind.CONFIGURE_ONLY;
    }
}
