package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.zfsguard.readiness.KernelReadiness;
import org.zfsguard.readiness.Verdict;
import org.zfsguard.system.SystemRoot;

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
