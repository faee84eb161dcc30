package org.zfsguard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.zfsguard.backup.BackupSet;
import org.zfsguard.backup.BackupStore;
import org.zfsguard.backup.VerifyReport;
import org.zfsguard.message.NextStep;
import org.zfsguard.state.StateDir;
import org.zfsguard.state.LockBusyException;
import org.zfsguard.system.SystemRoot;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {
            "Re-hash every file content of a backup (default: all backups) against its manifest. Exit code 1 " +
                    "when any backup is damaged."
        })
final class VerifyCommand implements Callable<Integer> {
    private final Effects effects;

    VerifyCommand(Effects effects) {
        this.effects = effects;
    }

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "ID", description = "A backup id as 'zfsguard backups' lists it.")
    String id;

    @Override
    public Integer call() {
        SystemRoot root = GlobalOptions.root();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        StateDir state = BackupCommand.stateDir(root);
        if (!state.exists()) {
            throw notFound();
        }
        int[] damaged = {0};
        int[] checked = {0};
        NextStep again = id == null ? NextStep.zfsguardAsRoot("verify") : NextStep.zfsguardAsRoot("verify", id);
        try {
            BackupStore store = BackupStore.open(root, state).waitingAtMost(effects.lockWait());
            // The store lock: no backup's retention removes a blob while it is re-hashed.
            Integer early = store.locked(() -> {
                List<BackupSet> sets;
                List<BackupStore.DamagedSet> broken = store.damaged().stream()
                        .filter(d -> id == null || d.id().equals(id)).toList();
                if (id != null) {
                    Optional<BackupSet> one = store.find(id);
                    if (one.isEmpty() && broken.isEmpty()) {
                        throw notFound();
                    }
                    sets = one.map(List::of).orElse(List.of());
                } else {
                    sets = store.list();
                }
                if (sets.isEmpty() && broken.isEmpty()) {
                    out.println("no boot-set backups to verify");
                    out.println(GlobalOptions.line(NextStep.zfsguardAsRoot("backup")));
                    return ExitCodes.OK;
                }
                for (BackupStore.DamagedSet d : broken) {
                    checked[0]++;
                    damaged[0]++;
                    out.printf("DAMAGED  %s (%s)%n", d.id(), d.problem());
                    err.println("zfsguard:   kept until removed; " + GlobalOptions.line(NextStep.zfsguardAsRoot("backups", "--remove", d.id())));
                }
                verifyAll(store, sets, out, err, damaged, checked);
                return null;
            });
            if (early != null) {
                return early;
            }
        } catch (LockBusyException e) {
            throw new UserError(e.getMessage(), GlobalOptions.command(again.because("(once it has finished)")));
        } catch (IOException e) {
            throw BackupCommand.ioFailure(e, GlobalOptions.command(NextStep.zfsguardAsRoot("verify")));
        }
        if (damaged[0] > 0) {
            throw new UserError(damaged[0] + " of " + checked[0] + " backup(s) damaged; restore refuses them",
                    GlobalOptions.command(NextStep.zfsguardAsRoot("backup").because("(a fresh one, while the kernel is still installed)"))
                            + ", or restore from another: " + GlobalOptions.command(NextStep.zfsguardAsRoot("backups")),
                    ExitCodes.NOT_SAFE);
        }
        return ExitCodes.OK;
    }

    private static void verifyAll(BackupStore store, List<BackupSet> sets, PrintWriter out, PrintWriter err,
            int[] damaged, int[] checked) {
        for (BackupSet s : sets) {
            VerifyReport r = store.verify(s);
            checked[0]++;
            if (r.ok()) {
                out.printf("ok       %s (%d files, %s re-hashed)%n", s.id(), r.filesChecked(), BackupCommand.mib(r.bytesChecked()));
            } else {
                damaged[0]++;
                out.printf("DAMAGED  %s (%d problem(s))%n", s.id(), r.problems().size());
                r.problems().stream().limit(20).forEach(p -> err.println("zfsguard:   " + p));
                if (r.problems().size() > 20) {
                    err.println("zfsguard:   ... and " + (r.problems().size() - 20) + " more");
                }
            }
        }
    }

    private UserError notFound() {
        return new UserError(id == null ? "no boot-set backups on this system" : "no valid backup named '" + SystemRoot.printable(id) + "'",
                GlobalOptions.command(NextStep.zfsguardAsRoot("backups")));
    }
}
