package org.zfsguard.pin;

import java.util.List;
import java.util.Optional;

import org.zfsguard.zfs.OpenZfsMeta;

/**
 * What the compatibility pin holds back, or why it holds nothing.
 *
 * @param lifted why no kernel is held although some may be outside the range, or empty
 */
public record PinPlan(OpenZfsMeta openZfs, List<Hold> holds, Optional<String> lifted) {
    public static final String HEADER = "# zfsguard's compatibility pin, generated: 'zfsguard pin --refresh' rewrites it.\n"
            + "# Kernel versions outside the Linux range of the installed OpenZFS get a negative\n"
            + "# priority, so that apt keeps them back and installs every other update.\n";

    public PinPlan {
        holds = List.copyOf(holds);
    }

    /** The apt_preferences(5) file: one stanza per held version, each with the reason. */
    public String preferences() {
        StringBuilder b = new StringBuilder(HEADER);
        lifted.ifPresent(l -> b.append("# No kernel is held: ").append(l).append(".\n"));
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
