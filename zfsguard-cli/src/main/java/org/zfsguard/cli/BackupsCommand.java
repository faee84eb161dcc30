package org.zfsguard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.zfsguard.backup.BackupSet;
import org.zfsguard.backup.BackupStore;
import org.zfsguard.state.LockBusyException;
import org.zfsguard.message.NextStep;
import org.zfsguard.state.StateDir;
import org.zfsguard.system.SystemRoot;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "backups", mixinStandardHelpOptions = true,
        description = {
            "List the boot-set backups, newest first. STATE is 'complete' when every file content is present " +
                    "with its recorded size; 'zfsguard verify' re-hashes them. Unfinished backups are never listed. " +
                    "A backup whose manifest does not verify is listed as DAMAGED and kept until removed with --remove ID."
        })
final class BackupsCommand implements Callable<Integer> {
    private final Effects effects;

    BackupsCommand(Effects effects) {
        this.effects = effects;
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    @Spec
    CommandSpec spec;

    @Option(names = "--remove", paramLabel = "ID", description = "Remove this backup (valid or DAMAGED) and the contents only it uses.")
    String remove;

    @Override
    public Integer call() {
        SystemRoot root = GlobalOptions.root();
        PrintWriter out = spec.commandLine().getOut();
        StateDir state = BackupCommand.stateDir(root);
        List<BackupSet> sets;
        BackupStore store = BackupStore.open(root, state).waitingAtMost(effects.lockWait());
        if (remove != null) {
            return remove(store, out);
        }
        List<BackupStore.DamagedSet> broken;
        try {
            sets = store.list();
            broken = store.damaged();
        } catch (IOException e) {
            throw BackupCommand.ioFailure(e, GlobalOptions.command(NextStep.zfsguardAsRoot("backups")));
        }
        if (sets.isEmpty() && broken.isEmpty()) {
            out.println("no boot-set backups in " + StateDir.PATH + "/backups");
            out.println(GlobalOptions.line(NextStep.zfsguardAsRoot("backup")));
            return ExitCodes.OK;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "KERNEL", "TIME", "SIZE", "FILES", "STATE"});
        boolean damaged = !broken.isEmpty();
        for (BackupSet s : sets) {
            boolean ok = store.blobsPresent(s);
            damaged |= !ok;
            rows.add(new String[] {s.id(), s.kernel(), TIME.format(s.created()), BackupCommand.mib(s.bytes()),
                Integer.toString(s.files()), ok ? "complete" : "DAMAGED"});
        }
        for (BackupStore.DamagedSet d : broken) {
            rows.add(new String[] {d.id(), d.kernel(), "-", "-", "-", "DAMAGED (manifest)"});
        }
        int[] width = new int[6];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                b.append(i == 3 || i == 4 ? pad(r[i], width[i], true) : pad(r[i], width[i], false));
                if (i < r.length - 1) {
                    b.append("  ");
                }
            }
            out.println(b.toString().stripTrailing());
        }
        out.println(damaged ? GlobalOptions.line(NextStep.zfsguardAsRoot("verify", "ID")
                        .because("(a DAMAGED backup cannot be restored; it is kept until: "
                                + GlobalOptions.command(NextStep.zfsguardAsRoot("backups", "--remove", "ID")) + ")"))
                : GlobalOptions.line(NextStep.zfsguardAsRoot("verify")) + ", or " + GlobalOptions.command(NextStep.zfsguardAsRoot("restore", "KERNEL")));
        return ExitCodes.OK;
    }

    private Integer remove(BackupStore store, PrintWriter out) {
        NextStep again = NextStep.zfsguardAsRoot("backups", "--remove", remove);
        try {
            if (!store.remove(remove)) {
                throw new UserError("no backup named '" + SystemRoot.printable(remove) + "'",
                        GlobalOptions.command(NextStep.zfsguard("backups")));
            }
        } catch (LockBusyException e) {
            throw new UserError(e.getMessage(), GlobalOptions.command(again.because("(once it has finished)")));
        } catch (IOException e) {
            throw BackupCommand.ioFailure(e, GlobalOptions.command(again));
        }
        out.println("removed backup " + SystemRoot.printable(remove));
        out.println(GlobalOptions.line(NextStep.zfsguard("backups")));
        return ExitCodes.OK;
    }

    private static String pad(String s, int w, boolean right) {
        String fill = " ".repeat(w - s.length());
        return right ? fill + s : s + fill;
    }
}
