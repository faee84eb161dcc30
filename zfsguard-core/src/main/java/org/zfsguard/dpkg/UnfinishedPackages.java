package org.zfsguard.dpkg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
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
    private static final String STATUS = "/var/lib/dpkg/status";
    private static final long MAX_STATUS = 64L * 1024 * 1024;

    /** One package whose dpkg status is neither installed nor gone. */
    public record Unfinished(String packageName, String version, String state) {
    }

    private UnfinishedPackages() {
    }

    public static List<Unfinished> read(SystemRoot root) {
        try {
            Path status = root.resolveAll(STATUS);
            if (!Files.isRegularFile(status, LinkOption.NOFOLLOW_LINKS) || Files.size(status) > MAX_STATUS) {
                return List.of();
            }
            return parse(Files.readString(status, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return List.of(); // no status to judge: the verdict speaks for itself
        }
    }

    /** The watched packages of dpkg status text whose state is unfinished, in file order. */
    public static List<Unfinished> parse(String status) {
        List<Unfinished> out = new ArrayList<>();
        for (String stanza : status.split("\n\n")) {
            String name = null;
            String version = "";
            String state = null;
            for (String line : stanza.split("\n")) {
                if (line.startsWith("Package: ")) {
                    name = line.substring(9).strip();
                } else if (line.startsWith("Version: ")) {
                    version = line.substring(9).strip();
                } else if (line.startsWith("Status: ")) {
                    String[] words = line.substring(8).strip().split(" ");
                    state = words[words.length - 1];
                }
            }
            if (name != null && state != null && unfinished(state) && watched(name)) {
                out.add(new Unfinished(name, version, state));
            }
        }
        return out;
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
