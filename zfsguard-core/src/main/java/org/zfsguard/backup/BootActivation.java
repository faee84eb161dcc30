package org.zfsguard.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.zfsguard.message.NextStep;
import org.zfsguard.state.AtomicFiles;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.kernel.KernelRelease;

/**
 * Makes a kernel the next one to boot. On Armbian, U-Boot loads
 * {@code /boot/Image}, {@code /boot/uInitrd} and {@code /boot/dtb/...}, so those
 * three are pointed at the kernel's files, each by one atomic rename (on a vfat
 * {@code /boot}, where Armbian keeps copies instead of links, the copy is
 * replaced). Other boot loaders are left alone and their next step is named.
 */
public final class BootActivation {
    static final String ARMBIAN_RELEASE = "/etc/armbian-release";

    private BootActivation() {
    }

    public static boolean isArmbian(SystemRoot root) throws IOException {
        return Files.isRegularFile(root.resolveAll(ARMBIAN_RELEASE));
    }

    /** Lines saying what would be done; nothing is changed. */
    public static List<String> plan(SystemRoot root, String kernel) throws IOException {
        return run(root, kernel, true, Set.of());
    }

    /**
     * Like {@link #plan(SystemRoot, String)}, for a run that first restores
     * {@code restored} (target paths such as {@code /boot/vmlinuz-K}): those
     * count as present, as they will be when the links are re-pointed.
     */
    public static List<String> plan(SystemRoot root, String kernel, Set<String> restored) throws IOException {
        return run(root, kernel, true, restored);
    }

    /** Re-points the boot files at {@code kernel} (Armbian) or tells what the boot loader needs. */
    public static List<String> activate(SystemRoot root, String kernel) throws IOException {
        return run(root, kernel, false, Set.of());
    }

    private static List<String> run(SystemRoot root, String kernel, boolean dryRun, Set<String> restored)
            throws IOException {
        KernelRelease.require(kernel);
        List<String> lines = new ArrayList<>();
        Path boot = root.resolveAll("/boot");
        if (!isArmbian(root)) {
            lines.add("not an Armbian system: the boot loader configuration is left unchanged");
            lines.add("the boot loader needs /boot/vmlinuz-" + kernel + " and /boot/initrd.img-" + kernel
                    + (Files.exists(boot.resolve("initrd.img-" + kernel), LinkOption.NOFOLLOW_LINKS)
                            || restored.contains("/boot/initrd.img-" + kernel) ? " (present)"
                            : " (missing: " + NextStep.toolAsRoot("update-initramfs", "-c", "-k", kernel).line(root) + ")"));
            lines.add("with GRUB: " + NextStep.toolAsRoot("update-grub").line(root) + ", then choose " + kernel
                    + " under 'Advanced options' or set GRUB_DEFAULT in /etc/default/grub");
            return lines;
        }
        link(boot, "Image", "vmlinuz-" + kernel, dryRun, restored, lines);
        link(boot, "uInitrd", "uInitrd-" + kernel, dryRun, restored, lines);
        link(boot, "dtb", "dtb-" + kernel, dryRun, restored, lines);
        return lines;
    }

    private static void link(Path boot, String name, String target, boolean dryRun, Set<String> restored,
            List<String> lines) throws IOException {
        Path link = boot.resolve(name);
        Path targetPath = boot.resolve(target);
        boolean willBeRestored = restored.contains("/boot/" + target);
        if (!Files.exists(targetPath, LinkOption.NOFOLLOW_LINKS) && !willBeRestored) {
            lines.add("/boot/" + name + " left unchanged: /boot/" + target + " does not exist");
            return;
        }
        boolean isLink = Files.isSymbolicLink(link);
        if (!isLink && Files.isDirectory(link, LinkOption.NOFOLLOW_LINKS)) {
            lines.add("/boot/" + name + " left unchanged: it is a directory, not a link; copy /boot/" + target
                    + "/ into it by hand");
            return;
        }
        boolean copy = !isLink && Files.isRegularFile(link, LinkOption.NOFOLLOW_LINKS);
        boolean targetIsDir = Files.exists(targetPath, LinkOption.NOFOLLOW_LINKS)
                ? Files.isDirectory(targetPath, LinkOption.NOFOLLOW_LINKS) : target.startsWith("dtb-");
        if (copy && targetIsDir) {
            lines.add("/boot/" + name + " left unchanged: it is a file and /boot/" + target + " a directory");
            return;
        }
        String what = copy ? "/boot/" + name + " replaced by a copy of /boot/" + target + " (no symlinks on this /boot)"
                : "/boot/" + name + " -> " + target;
        if (dryRun) {
            lines.add("would point " + what);
            return;
        }
        if (copy) {
            AtomicFiles.write(link, out -> {
                try (InputStream in = Files.newInputStream(targetPath, LinkOption.NOFOLLOW_LINKS)) {
                    in.transferTo(out);
                }
            });
        } else {
            AtomicFiles.replaceSymlink(link, target);
        }
        lines.add("pointed " + what);
    }
}
