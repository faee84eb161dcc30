package org.zfsguard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.zfsguard.backup.BackupSet;
import org.zfsguard.backup.BackupStore;
import org.zfsguard.backup.DpkgOwnership;
import org.zfsguard.backup.RestoreOutcome;
import org.zfsguard.backup.Restorer;
import org.zfsguard.message.NextStep;
import org.zfsguard.state.StateDir;
import org.zfsguard.state.ZfsguardLock;
import org.zfsguard.system.SystemRoot;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {
            "Restore the boot set of kernel K from its newest backup (or --from ID): verify every checksum " +
                    "first, write each file under a temporary name and rename it into place, then run depmod for K. " +
                    "Refuses to overwrite files an installed package owns unless --force."
        })
final class RestoreCommand implements Callable<Integer> {
    private final Effects effects;

    RestoreCommand(Effects effects) {
        this.effects = effects;
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "K", description = "The kernel release to restore.")
    String kernel;

    @Option(names = "--from", paramLabel = "ID", description = "Restore this backup instead of the newest of K.")
    String from;

    @Option(names = "--activate", description = "Make K the next boot kernel (Armbian: /boot/Image, /boot/uInitrd, /boot/dtb).")
    boolean activate;

    @Option(names = "--dry-run", description = "Print what would be done; change nothing.")
    boolean dryRun;

    @Option(names = "--force", description = "Overwrite files that an installed package owns.")
    boolean force;

    @Override
    @SuppressWarnings("try") // the lock is held by being open for the whole block
    public Integer call() {
        SystemRoot root = GlobalOptions.root();
        String k = BackupCommand.kernel(kernel);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        StateDir state = BackupCommand.stateDir(root);
        if (!state.exists()) {
            throw new UserError("no boot-set backups on this system", GlobalOptions.command(NextStep.zfsguardAsRoot("backups")));
        }
        String again = GlobalOptions.command(from == null ? NextStep.zfsguardAsRoot("restore", k)
                : NextStep.zfsguardAsRoot("restore", k, "--from", from));
        try (ZfsguardLock lock = dryRun ? null : BackupCommand.lock(state, again, effects.lockWait())) {
            BackupStore store = BackupStore.open(root, state).waitingAtMost(effects.lockWait());
            BackupSet set = choose(store, k);
            Restorer restorer = new Restorer(root, store, new DpkgOwnership(root), effects.depmod());
            RestoreOutcome o = restorer.restore(set, new Restorer.Options(force, dryRun, activate));
            if (o instanceof RestoreOutcome.Planned p) {
                out.println("restore plan for " + k + " from " + set.id() + ":");
                p.steps().forEach(s -> out.println("  " + s));
                out.println("nothing was changed (--dry-run); " + NextStep.LABEL + again + (activate ? " --activate" : ""));
                return ExitCodes.OK;
            }
            if (o instanceof RestoreOutcome.Refused r) {
                r.details().stream().limit(20).forEach(d -> err.println("zfsguard:   " + d));
                if (r.details().size() > 20) {
                    err.println("zfsguard:   ... and " + (r.details().size() - 20) + " more");
                }
                String next = switch (r.why()) {
                    case OWNED_BY_PACKAGES -> "to overwrite them anyway: " + again + " --force";
                    case VERIFY_FAILED -> GlobalOptions.command(NextStep.zfsguardAsRoot("backups").because("(restore another one with --from ID)"));
                    case READ_ONLY -> "remount as shown above, then: " + again + (activate ? " --activate" : "");
                    case CONFLICTS -> "move the conflicting paths aside, then: " + again;
                };
                throw new UserError("restore of " + k + " refused: " + r.reason(), next,
                        ExitCodes.NOT_SAFE);
            }
            RestoreOutcome.Restored done = (RestoreOutcome.Restored) o;
            out.printf("restored boot set of %s from %s: %d written, %d already matching%n",
                    k, set.id(), done.written(), done.unchanged());
            done.notes().forEach(n -> out.println("  " + n));
            if (!done.warnings().isEmpty()) {
                done.warnings().forEach(w -> err.println("zfsguard: " + w));
                throw new UserError("the files of " + k + " are back, but not everything after that worked",
                        GlobalOptions.command(NextStep.toolAsRoot("depmod", "-a", k))
                                + (activate ? "; check /boot/Image, /boot/uInitrd and /boot/dtb" : ""));
            }
            String stale = org.zfsguard.guard.RestoredKernel.staleReason(root, k);
            if (stale != null) {
                // A backup from before an OpenZFS upgrade: its modules do not match the installed OpenZFS.
                err.println("zfsguard: WARNING: the restored " + k + " is STALE: " + stale);
                out.println(GlobalOptions.line(NextStep.zfsguardAsRoot("rebuild", "--kernel", k)));
                return ExitCodes.OK;
            }
            out.println(GlobalOptions.line(NextStep.zfsguard("status"))
                    + (activate ? "" : "; to boot it next: " + again + " --activate"));
            return ExitCodes.OK;
        } catch (IOException e) {
            throw BackupCommand.ioFailure(e, again);
        }
    }

    private BackupSet choose(BackupStore store, String k) throws IOException {
        if (from != null) {
            Optional<BackupSet> s = store.find(from);
            if (s.isEmpty()) {
                throw new UserError("no valid backup named '" + SystemRoot.printable(from) + "'",
                        GlobalOptions.command(NextStep.zfsguardAsRoot("backups")));
            }
            if (!s.get().kernel().equals(k)) {
                throw new UserError("backup " + from + " is of kernel " + s.get().kernel() + ", not " + k,
                        GlobalOptions.command(NextStep.zfsguardAsRoot("restore", s.get().kernel(), "--from", from)));
            }
            return s.get();
        }
        return store.newest(k).orElseThrow(() -> new UserError("no backup of kernel " + k,
                GlobalOptions.command(NextStep.zfsguardAsRoot("backups"))));
    }
}
