package org.zfsguard.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.zfsguard.readiness.ReadinessEngine;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.readiness.VerdictSentence;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = {
            "Tell in one line whether the next boot is safe: whether the kernel that boots next has a ZFS " +
                    "module built for it from the installed OpenZFS (and packed in its initramfs when ZFS loads from " +
                    "there)."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the next boot is safe", "1:the next boot is not safe",
            "2:could not tell (no ZFS installed, unreadable files, no kernel found)"})
final class CheckCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ReadinessReport report = new ReadinessEngine(GlobalOptions.root()).evaluate();
        PrintWriter out = spec.commandLine().getOut();
        out.println(line(report));
        out.flush();
        return exitCode(report.overall());
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
