package org.zfsguard.rebuild;

import java.util.ArrayList;
import java.util.List;

import org.zfsguard.system.SystemRoot;

/**
 * The programs a build runs, as absolute paths on the target (Debian 12+ and Ubuntu
 * 24.04 are merged-/usr, so these exist on every supported system). Tests replace
 * {@code dkms} with a fake.
 */
public record BuildTools(String nice, String ionice, List<String> dkms) {
    public BuildTools {
        dkms = List.copyOf(dkms);
        if (dkms.isEmpty()) {
            throw new IllegalArgumentException("dkms command is empty");
        }
    }

    public static BuildTools standard() {
        return new BuildTools("/usr/bin/nice", "/usr/bin/ionice", List.of("/usr/sbin/dkms"));
    }

    /** The standard tools for {@code root}: dkms through chroot(8) when the root is not /. */
    public static BuildTools standard(SystemRoot root) {
        BuildTools std = standard();
        List<String> dkms = new ArrayList<>(chrootPrefix(root));
        dkms.addAll(std.dkms());
        return new BuildTools(std.nice(), std.ionice(), dkms);
    }

    /** A target other than / runs its own dkms and update-initramfs, with its own compiler and headers. */
    public static List<String> chrootPrefix(SystemRoot root) {
        return root.isHost() ? List.of() : List.of("/usr/sbin/chroot", root.path().toString());
    }
}
