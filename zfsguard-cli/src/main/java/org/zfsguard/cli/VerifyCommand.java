package org.zfsguard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import org.zfsguard.backup.BackupSet;
import org.zfsguard.backup.BackupStore;
import org.zfsguard.backup.VerifyReport;
import org.zfsguard.message.NextStep;
import org.zfsguard.state.StateDir;
import org.zfsguard.state.ZfsguardLock;
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
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "ID", description = "A backup id as 'zfsguard backups' lists it.")
    String id;

    @Override
    @SuppressWarnings("try") // the lock is held by being open for the whole block
    public Integer call() {
        SystemRoot root = GlobalOptions.root();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        StateDir state = BackupCommand.stateDir(root);
        if (!state.exists()) {
            throw notFound();
        }
        int damaged = 0;
        int checked = 0;
        try (ZfsguardLock lock = BackupCommand.lock(state, "zfsguard verify" + (id == null ? "" : " " + id))) {
            BackupStore store = BackupStore.open(root, state);
            List<BackupSet> sets;
            if (id != null) {
                sets = List.of(store.find(id).orElseThrow(this::notFound));
            } else {
                sets = store.list();
            }
            if (sets.isEmpty()) {
                out.println("no boot-set backups to verify");
                out.println(GlobalOptions.line(NextStep.zfsguardAsRoot("backup")));
                return ExitCodes.OK;
            }
            for (BackupSet s : sets) {
                VerifyReport r = store.verify(s);
                checked++;
                if (r.ok()) {
                    out.printf("ok       %s (%d files, %s re-hashed)%n", s.id(), r.filesChecked(), BackupCommand.mib(r.bytesChecked()));
                } else {
                    damaged++;
                    out.printf("DAMAGED  %s (%d problem(s))%n", s.id(), r.problems().size());
                    r.problems().stream().limit(20).forEach(p -> err.println("zfsguard:   " + p));
                    if (r.problems().size() > 20) {
                        err.println("zfsguard:   ... and " + (r.problems().size() - 20) + " more");
                    }
                }
            }
        } catch (IOException e) {
            throw BackupCommand.ioFailure(e, GlobalOptions.command(NextStep.zfsguardAsRoot("verify")));
        }
        if (damaged > 0) {
            throw new UserError(damaged + " of " + checked + " backup(s) damaged; restore refuses them",
                    GlobalOptions.command(NextStep.zfsguardAsRoot("backup").because("(a fresh one, while the kernel is still installed)"))
                            + ", or restore from another: " + GlobalOptions.command(NextStep.zfsguardAsRoot("backups")),
                    ExitCodes.NOT_SAFE);
        }
        return ExitCodes.OK;
    }

    private UserError notFound() {
        return new UserError(id == null ? "no boot-set backups on this system" : "no valid backup named '" + SystemRoot.printable(id) + "'",
                GlobalOptions.command(NextStep.zfsguardAsRoot("backups")));
    }
}
