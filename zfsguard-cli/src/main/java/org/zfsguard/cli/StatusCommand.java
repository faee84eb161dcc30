package org.zfsguard.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.zfsguard.readiness.ReadinessEngine;
import org.zfsguard.readiness.ReadinessReport;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {
            "Show every installed kernel and whether ZFS will load on it. Kernels come from the disk " +
                    "(/lib/modules, /boot, dpkg's lists), never from the running kernel. Under the table: the next " +
                    "command to run for each problem."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the report was printed (whatever it says; use 'zfsguard check' for a verdict)",
            "2:the system root could not be read"})
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print the report as one JSON document (fields: see zfsguard(8)).")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ReadinessReport report = new ReadinessEngine(GlobalOptions.root()).evaluate();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(ReportJson.toJson(report));
        } else {
            StatusTable.print(report, out);
        }
        out.flush();
        return ExitCodes.OK;
    }
}
