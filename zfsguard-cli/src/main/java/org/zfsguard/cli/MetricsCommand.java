package org.zfsguard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.zfsguard.config.Config;
import org.zfsguard.message.NextStep;
import org.zfsguard.metrics.FleetFactsReader;
import org.zfsguard.metrics.PrometheusText;
import org.zfsguard.metrics.VerdictPublisher;
import org.zfsguard.readiness.ReadinessEngine;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.system.SystemRoot;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = {
            "Print the verdict and what surrounds it (held kernels, backups, the last rebuild, the last confirmed " +
                    "boot) as Prometheus text for node_exporter's textfile collector. With --write, replace " +
                    "zfsguard.prom in the textfile directory (metrics_dir in zfsguard.conf(5)) and the login " +
                    "message's state instead; zfsguard-metrics.timer runs this hourly."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:printed or written (whatever the verdict; use 'zfsguard check' for one)",
            "2:could not write, or a bad configuration"})
final class MetricsCommand implements Callable<Integer> {
    @Option(names = "--write", description = "Write METRICS_DIR/zfsguard.prom (only when that directory exists) "
            + "and /var/lib/zfsguard/next-boot instead of printing.")
    boolean write;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        SystemRoot root = GlobalOptions.root();
        Config config = BackupCommand.config(root);
        ReadinessReport report = new ReadinessEngine(root).evaluate();
        PrintWriter out = spec.commandLine().getOut();
        if (!write) {
            out.print(PrometheusText.render(FleetFactsReader.read(root, config, report)));
            out.flush();
            return ExitCodes.OK;
        }
        try {
            VerdictPublisher.Published p = VerdictPublisher.publish(root, config, report);
            if (p.metrics() == null) {
                out.println("no metrics written: " + config.metricsDir() + " does not exist");
                out.println(NextStep.LABEL + "sudo apt install prometheus-node-exporter, or set metrics_dir in "
                        + "/etc/zfsguard/zfsguard.conf.d/ (see zfsguard.conf(5))");
            } else {
                out.println("wrote " + root.targetName(p.metrics()));
            }
        } catch (IOException e) {
            throw BackupCommand.ioFailure(e, GlobalOptions.command(NextStep.zfsguardAsRoot("metrics", "--write")));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
