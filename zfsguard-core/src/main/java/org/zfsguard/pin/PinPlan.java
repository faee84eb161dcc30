package org.zfsguard.pin;

import java.util.List;
import java.util.Optional;

import org.zfsguard.zfs.OpenZfsMeta;

/**
 * What the compatibility pin holds back, or why it holds nothing.
 *
 * @param lifted    why no kernel is held although some may be outside the range, or empty
 * @param candidate a newer zfs-dkms in apt's lists whose Linux range is known, which apt may bring
 *                  together with a kernel inside that range
 */
public record PinPlan(OpenZfsMeta openZfs, List<Hold> holds, Optional<String> lifted, Optional<Candidate> candidate) {
    /** A zfs-dkms version in apt's lists and the OpenZFS it carries. */
    public record Candidate(String packageVersion, OpenZfsMeta meta) {
        /** {@code zfs-dkms 2.3.2-2~bpo12+2 (OpenZFS 2.3.2, Linux 4.18 to 6.14)}. */
        public String describe() {
            return CompatibilityPin.ZFS_DKMS + " " + packageVersion + " (OpenZFS " + meta.version() + ", Linux "
                    + meta.linuxMinimum() + " to " + meta.linuxMaximum() + ")";
        }
    }

    public static final String HEADER = "# zfsguard's compatibility pin, generated: 'zfsguard pin --refresh' rewrites it.\n"
            + "# Kernel versions outside the Linux range of the installed OpenZFS get a negative\n"
            + "# priority, so that apt keeps them back and installs every other update.\n";

    public PinPlan {
        holds = List.copyOf(holds);
    }

    public PinPlan(OpenZfsMeta openZfs, List<Hold> holds, Optional<String> lifted) {
        this(openZfs, holds, lifted, Optional.empty());
    }

    /** The apt_preferences(5) file: one stanza per held version, each with the reason. */
    public String preferences() {
        StringBuilder b = new StringBuilder(HEADER);
        lifted.ifPresent(l -> b.append("# No kernel is held: ").append(l).append(".\n"));
        candidate.ifPresent(c -> b.append("# ").append(c.describe())
                .append(" is in apt's lists: kernels it supports are not held.\n"));
        for (Hold h : holds) {
            b.append('\n')
                    .append("Explanation: ").append(h.reason()).append('\n')
                    .append("Package: ").append(h.packageName()).append('\n')
                    .append("Pin: version ").append(h.version()).append('\n')
                    .append("Pin-Priority: -1\n");
        }
        return b.toString();
    }
}
