package org.zfsguard.dpkg;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.zfsguard.apt.PackageRole;
import org.zfsguard.system.SystemRoot;

/**
 * Kernel, ZFS and build-tool packages that dpkg left half done: a run that
 * failed part way (DKMS's kernel hook exiting 11 for a kernel OpenZFS cannot
 * build) leaves the new kernel half-configured, its initramfs never made and
 * the packages after it unpacked; the verdict alone does not say so.
 */
public final class UnfinishedPackages {
    /** One package whose dpkg status is neither installed nor gone. */
    public record Unfinished(String packageName, String version, String state) {
    }

    private UnfinishedPackages() {
    }

    public static List<Unfinished> read(SystemRoot root) {
        List<Unfinished> out = new ArrayList<>();
        DpkgStatus.read(root, e -> keep(e, out));
        return out;
    }

    /** The watched packages of dpkg status text whose state is unfinished, in file order. */
    public static List<Unfinished> parse(String status) {
        List<Unfinished> out = new ArrayList<>();
        try {
            DpkgStatus.parse(new ByteArrayInputStream(status.getBytes(StandardCharsets.UTF_8)), e -> keep(e, out));
        } catch (IOException e) {
            // a line too long for a status file: what came before it stands
        }
        return out;
    }

    private static void keep(DpkgStatus.Entry e, List<Unfinished> out) {
        if (unfinished(e.state()) && watched(e.packageName())) {
            out.add(new Unfinished(e.packageName(), e.version() == null ? "" : e.version(), e.state()));
        }
    }

    private static boolean unfinished(String state) {
        return switch (state) {
            case "half-installed", "unpacked", "half-configured", "triggers-awaited", "triggers-pending" -> true;
            default -> false;
        };
    }

    private static boolean watched(String name) {
        PackageRole r = PackageRole.of(name);
        return r != PackageRole.OTHER || name.startsWith("linux-");
    }

    /**
     * What to say about them: one line per package, then the way out. dpkg can finish
     * the run once what made it fail is gone, which zfsguard cannot tell from here.
     */
    public static List<String> advice(List<Unfinished> unfinished) {
        List<String> lines = new ArrayList<>();
        if (unfinished.isEmpty()) {
            return lines;
        }
        lines.add("dpkg did not finish the last run: " + unfinished.size() + " kernel or ZFS package"
                + (unfinished.size() == 1 ? " is" : "s are") + " not fully installed");
        for (Unfinished u : unfinished) {
            lines.add("  " + u.packageName() + " " + u.version() + ": " + u.state());
        }
        boolean halfInstalled = unfinished.stream().anyMatch(u -> u.state().equals("half-installed"));
        lines.add("next: sudo dpkg --configure -a"
                + (halfInstalled ? " (a half-installed package needs: sudo apt-get install --reinstall PACKAGE)" : ""));
        lines.add("next: if it fails again for a kernel OpenZFS cannot build, remove that kernel: sudo apt-get remove "
                + unfinished.stream().filter(u -> PackageRole.of(u.packageName()) == PackageRole.KERNEL_IMAGE)
                        .map(Unfinished::packageName).findFirst().orElse("PACKAGE")
                + ", or install an OpenZFS that supports it; zfsguard pin shows the kernels held back");
        return lines;
    }
}
