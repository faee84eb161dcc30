package org.zfsguard.rebuild;

import java.util.List;

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
}
