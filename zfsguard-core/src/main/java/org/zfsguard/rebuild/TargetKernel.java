package org.zfsguard.rebuild;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.zfsguard.system.SystemRoot;
import org.zfsguard.kernel.KernelSeries;

/**
 * A kernel release that a build targets, validated before it
 * reaches a command line or a path.
 *
 * <p>To be reconciled with {@code org.zfsguard.kernel.KernelRelease} once that exists on
 * the main line; this record deliberately holds nothing but the validated string so the
 * swap is mechanical.
 */
public record TargetKernel(String release) {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}");
    private static final Pattern LINUX_VERSION = Pattern.compile("^([0-9]{1,3})\\.([0-9]{1,3})(?![0-9])");
    // <version>-<branch>-<family>, the release form of Armbian kernels since 2023.
    private static final Pattern ARMBIAN = Pattern.compile(
            "[0-9]+\\.[0-9]+(?:\\.[0-9]+)?-(legacy|vendor|current|edge|bleedingedge)-([a-z0-9][a-z0-9-]{0,40})");

    public TargetKernel {
        Objects.requireNonNull(release, "release");
        if (!VALID.matcher(release).matches() || release.contains("..")) {
            throw new IllegalArgumentException("not a kernel release: '" + SystemRoot.printable(release) + "'");
        }
    }

    public static TargetKernel of(String release) {
        return new TargetKernel(release);
    }

    /** The Linux major.minor this release starts with, such as {@code 6.12}, if it starts with one. */
    public java.util.Optional<KernelSeries> linuxVersion() {
        Matcher m = LINUX_VERSION.matcher(release);
        if (!m.find()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new KernelSeries(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
    }

    /**
     * The package that provides this kernel's headers: Armbian names it after branch and
     * family ({@code linux-headers-current-rockchip64}), Debian and Ubuntu after the release.
     */
    public String headersPackage() {
        Matcher m = ARMBIAN.matcher(release);
        if (m.matches()) {
            return "linux-headers-" + m.group(1) + "-" + m.group(2);
        }
        return "linux-headers-" + release.toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String toString() {
        return release;
    }
}
