package org.zfsguard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import org.zfsguard.backup.BackupOutcome;
import org.zfsguard.backup.BackupRun;
import org.zfsguard.backup.BackupSet;
import org.zfsguard.backup.BackupStore;
import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.config.Config;
import org.zfsguard.config.ConfigException;
import org.zfsguard.message.NextStep;
import org.zfsguard.state.LockBusyException;
import org.zfsguard.state.StateDir;
import org.zfsguard.state.ZfsguardLock;
import org.zfsguard.system.SystemRoot;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {
            "Back up the boot set of a kernel: /lib/modules/K (with updates/dkms), /boot/vmlinuz-K, config-K," +
                    " System.map-K, initrd.img-K, uInitrd-K, /boot/dtb-K/, /usr/lib/linux-image-K/ and DKMS build " +
                    "records. Without --kernel: every kernel in /lib/modules. Old backups beyond keep_kernels are " +
                    "removed afterwards."
        })
final class BackupCommand implements Callable<Integer> {
    /** How long a command waits for another zfsguard process to finish (shortened by tests). */
    private final Effects effects;

    BackupCommand(Effects effects) {
        this.effects = effects;
    }
    private static final double MIB = 1024 * 1024;

    @Spec
    CommandSpec spec;

    @Option(names = "--kernel", paramLabel = "K", description = "Back up only this kernel release.")
    String kernel;

    @Override
    @SuppressWarnings("try") // the lock is held by being open for the whole block
    public Integer call() {
        SystemRoot root = GlobalOptions.root();
        Config config = config(root);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> kernels;
        if (kernel != null) {
            kernels = List.of(kernel(kernel));
        } else {
            try {
                kernels = BackupRun.installedKernels(root);
            } catch (IOException e) {
                throw ioFailure(e, GlobalOptions.command(NextStep.zfsguardAsRoot("backup", "--kernel", "K")));
            }
            if (kernels.isEmpty()) {
                throw new UserError("no kernel found in /lib/modules", GlobalOptions.command(NextStep.zfsguardAsRoot("backup", "--kernel", "K")));
            }
        }
        StateDir state = stateDir(root);
        int refused = 0;
        int nothing = 0;
        try {
            // Only the store lock: a running rebuild (which holds the main lock) does not keep a backup waiting.
            BackupStore store = BackupStore.open(root, state).waitingAtMost(effects.lockWait());
            BackupRun.Result result = new BackupRun(root, store).run(kernels, config.reserveMiB() * 1024 * 1024,
                    config.keepKernels());
            for (int i = 0; i < kernels.size(); i++) {
                String k = kernels.get(i);
                BackupOutcome o = result.outcomes().get(i);
                if (o instanceof BackupOutcome.Created c) {
                    BackupSet s = c.set();
                    out.printf("backed up boot set of %s (%d files, %s, sha256 recorded; %s written) as %s%n",
                            k, s.files(), mib(s.bytes()), mib(c.bytesWritten()), s.id());
                    if (!c.skipped().isEmpty()) {
                        err.println("zfsguard: left out of the backup (not a file, directory or symlink, or gone while read): "
                                + String.join(", ", c.skipped().stream().limit(5).map(SystemRoot::printable).toList())
                                + (c.skipped().size() > 5 ? " and " + (c.skipped().size() - 5) + " more" : ""));
                    }
                } else if (o instanceof BackupOutcome.Refused r) {
                    err.println("zfsguard: NOT BACKED UP: " + k + ": " + r.reason());
                    refused++;
                } else {
                    out.println("no files of " + k + " on this system; nothing to back up");
                    nothing++;
                }
            }
            for (BackupSet gone : result.removed()) {
                out.println("removed old backup " + gone.id() + " (keep_kernels = " + config.keepKernels() + ")");
            }
        } catch (LockBusyException e) {
            throw new UserError(e.getMessage(), GlobalOptions.command(again().because("(once it has finished)")));
        } catch (IOException e) {
            throw ioFailure(e, GlobalOptions.command(again()));
        }
        if (refused > 0) {
            throw new UserError(refused + " boot set(s) not backed up",
                    "free space under " + StateDir.PATH + " or lower reserve_mib in " + Config.PATH + ", then: " + GlobalOptions.command(again()),
                    ExitCodes.NOT_SAFE);
        }
        if (kernel != null && nothing > 0) {
            throw new UserError("kernel " + kernel + " has no files on this system", GlobalOptions.command(NextStep.zfsguardAsRoot("backups")));
        }
        out.println(GlobalOptions.line(NextStep.zfsguardAsRoot("backups")));
        return ExitCodes.OK;
    }

    private NextStep again() {
        return kernel == null ? NextStep.zfsguardAsRoot("backup") : NextStep.zfsguardAsRoot("backup", "--kernel", kernel);
    }

    // ---- shared by the backup commands

    static Config config(SystemRoot root) {
        try {
            return Config.load(root);
        } catch (ConfigException e) {
            throw new UserError(e.getMessage().lines().findFirst().orElse("bad configuration"),
                    "fix the file named above (see zfsguard.conf(5))");
        }
    }

    static String kernel(String k) {
        if (!KernelRelease.isValid(k)) {
            throw new UserError("not a kernel release: '" + SystemRoot.printable(k) + "'",
                    GlobalOptions.command(NextStep.zfsguardAsRoot("backups")), ExitCodes.USAGE);
        }
        return k;
    }

    static StateDir stateDir(SystemRoot root) {
        try {
            return StateDir.of(root);
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError("cannot find " + StateDir.PATH + ": " + e.getMessage(), "check the directory and its parents");
        }
    }

    static ZfsguardLock lock(StateDir state, String again, Duration lockWait) {
        try {
            return ZfsguardLock.acquire(state, lockWait);
        } catch (LockBusyException e) {
            throw new UserError(e.getMessage(), again + "   (once it has finished)");
        } catch (IOException e) {
            throw ioFailure(e, again);
        }
    }

    static UserError ioFailure(IOException e, String again) {
        String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof java.nio.file.AccessDeniedException) {
            return new UserError("permission denied: " + what, again.startsWith("sudo ") ? again : "sudo " + again);
        }
        if (e instanceof java.nio.file.FileSystemException f && "Read-only file system".equals(f.getReason())
                && f.getFile() != null) {
            String mount = readOnlyMount(f.getFile());
            return new UserError(SystemRoot.printable(f.getFile()) + " is on a read-only file system",
                    "sudo mount -o remount,rw " + NextStep.quoted(SystemRoot.printable(mount)) + "   (to make it writable), then: " + again);
        }
        return new UserError("I/O error: " + SystemRoot.printable(what), "run the same command with --verbose; then: " + again);
    }

    private static String readOnlyMount(String file) {
        try {
            return org.zfsguard.system.MountTable.parse(Files.readString(Path.of("/proc/self/mountinfo")))
                    .mountPointOf(Path.of(file).toAbsolutePath().normalize().toString());
        } catch (IOException | RuntimeException e) {
            return "the file system";
        }
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / MIB);
    }
}
