package org.zfsguard.guard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.zfsguard.backup.BootActivation;
import org.zfsguard.kernel.GrubMenu;
import org.zfsguard.kernel.NextBoot;
import org.zfsguard.message.NextStep;
import org.zfsguard.rebuild.CommandRunner;
import org.zfsguard.state.AtomicFiles;
import org.zfsguard.system.SystemRoot;

/**
 * Points the boot loader at a kernel. U-Boot: the Armbian links, each replaced
 * by one atomic rename ({@link BootActivation}). GRUB: a drop-in that makes
 * {@code GRUB_DEFAULT=saved} survive every update-grub a kernel package runs,
 * and grub-set-default (the default) or grub-reboot (one trial boot) with the
 * kernel's menu entry id. Anything else: what to set, and nothing changed.
 */
public final class BootTargetApplier {
    public static final String GRUB_DROP_IN = "/etc/default/grub.d/zfsguard.cfg";
    static final String DROP_IN_TEXT = "# Written by zfsguard (boot_guard = hold in /etc/zfsguard/zfsguard.conf):\n"
            + "# GRUB boots the entry that zfsguard chose with grub-set-default, a kernel\n"
            + "# whose ZFS module works. Set boot_guard = warn and remove this file to undo.\n"
            + "GRUB_DEFAULT=saved\n";

    private final SystemRoot root;
    private final CommandRunner runner;

    public BootTargetApplier(SystemRoot root, CommandRunner runner) {
        this.root = root;
        this.runner = runner;
    }

    /** Makes {@code kernel} the boot target from now on; lines say what was done. */
    public List<String> hold(String kernel) throws IOException {
        return switch (BootLoader.of(root)) {
            case UBOOT -> BootActivation.activate(root, kernel);
            case GRUB -> grub("grub-set-default", kernel);
            case OTHER -> BootActivation.plan(root, kernel);
        };
    }

    /**
     * Boots {@code kernel} once, {@code fallback} after that unless the boot is
     * confirmed. On U-Boot the links point at the trial kernel and the boot-time
     * unit points them back; GRUB keeps {@code fallback} as its default and
     * boots the trial kernel through next_entry.
     */
    public List<String> trial(String kernel, String fallback) throws IOException {
        BootLoader loader = BootLoader.of(root);
        if (loader != BootLoader.GRUB) {
            return hold(kernel);
        }
        List<String> lines = new ArrayList<>(grub("grub-set-default", fallback));
        lines.addAll(grub("grub-reboot", kernel));
        return lines;
    }

    private List<String> grub(String tool, String kernel) throws IOException {
        List<String> lines = new ArrayList<>();
        GrubMenu menu = GrubMenu.parse(Files.readString(root.resolveAll(NextBoot.GRUB_CFG), StandardCharsets.UTF_8));
        String id = GrubEntries.idOf(menu, kernel);
        if (id == null) {
            lines.add(NextBoot.GRUB_CFG + " has no entry for " + kernel + "; "
                    + NextStep.toolAsRoot("update-grub").line(root));
            return lines;
        }
        Path dropIn = root.resolveParents(GRUB_DROP_IN);
        if (!Files.isRegularFile(dropIn, LinkOption.NOFOLLOW_LINKS)
                || !Files.readString(dropIn, StandardCharsets.UTF_8).equals(DROP_IN_TEXT)) {
            Files.createDirectories(dropIn.getParent());
            AtomicFiles.write(dropIn, DROP_IN_TEXT.getBytes(StandardCharsets.UTF_8));
            lines.add("wrote " + GRUB_DROP_IN + " (GRUB_DEFAULT=saved)");
        }
        if (!menu.defaultIsSavedEntry() && tool.equals("grub-set-default")) {
            // grub.cfg reads saved_entry only once update-grub has seen the drop-in.
            if (root.isHost()) {
                run(List.of("update-grub"), lines);
            } else {
                lines.add(NextBoot.GRUB_CFG + " does not read saved_entry yet: "
                        + NextStep.toolAsRoot("update-grub").line(root));
            }
        }
        run(List.of(tool, "--boot-directory=" + root.resolve("/boot"), id), lines);
        lines.add((tool.equals("grub-reboot") ? "GRUB boots once: " : "GRUB default: ") + kernel + " (entry "
                + SystemRoot.printable(id) + ")");
        return lines;
    }

    private void run(List<String> argv, List<String> lines) throws IOException {
        List<String> output = new ArrayList<>();
        int rc;
        try {
            rc = runner.run(argv, output::add);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(argv.get(0) + " was interrupted");
        }
        if (rc != 0) {
            throw new IOException(argv.get(0) + " failed (exit " + rc + ")"
                    + (output.isEmpty() ? "" : ": " + SystemRoot.printable(output.get(output.size() - 1))));
        }
    }
}
