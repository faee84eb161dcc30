package org.zfsguard.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.zfsguard.metrics.FleetFacts;
import org.zfsguard.metrics.FleetFactsReader;
import org.zfsguard.metrics.NagiosStatus;
import org.zfsguard.readiness.ReadinessEngine;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.readiness.VerdictSentence;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = {
            "Tell in one line whether the next boot is safe: whether the kernel that boots next has a ZFS " +
                    "module built for it from the installed OpenZFS (and packed in its initramfs when ZFS loads from " +
                    "there)."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the next boot is safe", "1:the next boot is not safe",
            "2:could not tell (no ZFS installed, unreadable files, no kernel found)",
            "with --nagios: 0 OK, 1 WARNING (safe, but a kernel is held back or a backup is damaged), "
                    + "2 CRITICAL (not safe), 3 UNKNOWN"})
final class CheckCommand implements Callable<Integer> {
    @Option(names = "--nagios", description = "Answer as a Nagios or Icinga plugin: one status line with perfdata, "
            + "exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.")
    boolean nagios;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (nagios) {
            return nagios(out);
        }
        ReadinessReport report = new ReadinessEngine(GlobalOptions.root()).evaluate();
        out.println(line(report));
        out.flush();
        return exitCode(report.overall());
    }

    /** A plugin must answer with its own codes whatever happens, so every failure is UNKNOWN here. */
    private int nagios(PrintWriter out) {
        NagiosStatus status;
        try {
            ReadinessReport report = new ReadinessEngine(GlobalOptions.root()).evaluate();
            FleetFacts facts = FleetFactsReader.read(GlobalOptions.root(), BackupCommand.config(GlobalOptions.root()), report);
            status = NagiosStatus.of(facts, line(report).substring("zfsguard: ".length()));
        } catch (RuntimeException e) {
            status = NagiosStatus.unknown(String.valueOf(e.getMessage()));
        }
        out.println(status.line());
        out.flush();
        return status.code();
    }

    static int exitCode(ReadinessReport.Overall overall) {
        return switch (overall) {
            case SAFE -> ExitCodes.OK;
            case NOT_SAFE -> ExitCodes.NOT_SAFE;
            case UNKNOWN, NO_ZFS -> ExitCodes.ERROR;
        };
    }

    static String line(ReadinessReport r) {
        String text = VerdictSentence.of(r)
                + VerdictSentence.nextStep(r).map(s -> "; " + GlobalOptions.line(s)).orElse("");
        return "zfsguard: " + StatusTable.clean(text);
    }
}
