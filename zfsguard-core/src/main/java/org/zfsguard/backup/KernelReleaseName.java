package org.zfsguard.backup;

import java.util.regex.Pattern;

import org.zfsguard.system.SystemRoot;

/**
 * The strict check this package applies to a kernel release before it becomes
 * part of a path or a set name. The kernel package's {@code KernelRelease}
 * takes over this role; until then the rule is kept here, deliberately narrow.
 */
public final class KernelReleaseName {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}");

    private KernelReleaseName() {
    }

    public static boolean isValid(String s) {
        return s != null && VALID.matcher(s).matches() && !s.contains("..");
    }

    /** {@code s} itself, or an IllegalArgumentException naming it printably. */
    public static String require(String s) {
        if (!isValid(s)) {
            throw new IllegalArgumentException("not a kernel release: '" + SystemRoot.printable(String.valueOf(s)) + "'");
        }
        return s;
    }
}
