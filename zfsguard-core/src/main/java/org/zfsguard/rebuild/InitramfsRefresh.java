package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.zfsguard.initramfs.InitramfsReadException;
import org.zfsguard.initramfs.InitramfsReader;
import org.zfsguard.kernel.RootFiles;
import org.zfsguard.readiness.KernelReadiness;
import org.zfsguard.readiness.Verdict;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.zfs.ModuleFiles;
import org.zfsguard.zfs.ModuleReadException;

/** update-initramfs for one kernel, then a check that the initramfs now holds the module. */
public final class InitramfsRefresh {
    private final SystemRoot root;
    private final CommandRunner commands;
    private final RebuildOutput output;

    public InitramfsRefresh(SystemRoot root, CommandRunner commands, RebuildOutput output) {
        this.root = root;
        this.commands = commands;
        this.output = output;
    }

    /** The command line, through chroot(8) for a root other than /. */
    public static List<String> argv(SystemRoot root, KernelRelease k) {
        List<String> argv = new ArrayList<>(BuildTools.chrootPrefix(root));
        argv.add(root.isHost() ? "/usr/sbin/update-initramfs" : "update-initramfs");
        argv.addAll(List.of("-u", "-k", k.text()));
        return argv;
    }

    /**
     * Whether the initramfs of a freshly built kernel already holds the very zfs.ko now on
     * disk, compared by content: a rebuild of the same version and srcversion is still another
     * module, which only update-initramfs packs. Says why when the refresh is left out; when
     * either file cannot be read, the answer is no (the plan's refresh runs).
     */
    public boolean holdsBuiltModule(KernelRelease k, KernelReadiness row) {
        if (row.facts().zfs() == null || row.facts().initramfs() == null || row.facts().initramfs().file() == null) {
            return false;
        }
        String module = row.facts().zfs().path();
        String image = row.facts().initramfs().file();
        RootFiles files = new RootFiles(root);
        try {
            String built = ModuleFiles.contentSha256(files.resolve(module));
            Optional<String> packed = InitramfsReader.zfsContentSha256(files.resolve(image), k);
            if (packed.isPresent() && packed.get().equals(built)) {
                output.say(k + ": " + image + " already holds this " + module + " (same content, sha256 "
                        + built.substring(0, 12) + "): update-initramfs is not needed");
                return true;
            }
            output.say(k + ": the zfs.ko in " + image + (packed.isEmpty() ? " is missing" : " differs from the one just built ("
                    + packed.get().substring(0, 12) + " vs " + built.substring(0, 12) + ")"));
        } catch (IOException | ModuleReadException | InitramfsReadException e) {
            output.say(k + ": cannot compare " + image + " with " + module + " (" + SystemRoot.printable(String.valueOf(e.getMessage()))
                    + "): refreshing it");
        }
        return false;
    }

    /** True when it ran and the kernel is OK afterwards; every failure is reported to the output. */
    public boolean refresh(KernelRelease k) {
        List<String> argv = argv(root, k);
        output.say(k + ": " + String.join(" ", argv));
        try {
            int status = commands.run(argv, line -> output.say("    " + SystemRoot.printable(line)));
            if (status != 0) {
                output.warn("update-initramfs for " + k + " failed with exit status " + status);
                return false;
            }
        } catch (IOException e) {
            output.warn("cannot run update-initramfs for " + k + ": " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        Optional<KernelReadiness> row = FreshReadiness.of(root, k);
        if (row.isEmpty() || row.get().verdict() != Verdict.OK) {
            output.warn("after update-initramfs, " + k + " is still "
                    + (row.isEmpty() ? "not found" : row.get().verdict().label + ": " + row.get().judgement().reason()));
            return false;
        }
        return true;
    }
}
