package org.zfsguard.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import org.zfsguard.dpkg.UnfinishedPackages;
import org.zfsguard.pin.PinFile;
import org.zfsguard.system.SystemRoot;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

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
        SystemRoot root = GlobalOptions.root();
        List<String> held = PinFile.writtenReasons(root);
        List<UnfinishedPackages.Unfinished> unfinished = UnfinishedPackages.read(root);
        if (json) {
            JsonObject o = JsonParser.parseString(ReportJson.toJson(report)).getAsJsonObject();
            JsonArray h = new JsonArray();
            held.forEach(h::add);
            o.add("heldByPin", h);
            JsonArray u = new JsonArray();
            for (UnfinishedPackages.Unfinished x : unfinished) {
                JsonObject j = new JsonObject();
                j.addProperty("package", x.packageName());
                j.addProperty("version", x.version());
                j.addProperty("state", x.state());
                u.add(j);
            }
            o.add("dpkgUnfinished", u);
            o.add("bootGuard", BootGuardStatus.of(root, report).json());
            out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create().toJson(o));
        } else {
            StatusTable.print(report, out);
            for (String reason : held) {
                out.println("held back by the compatibility pin: " + reason);
            }
            UnfinishedPackages.advice(unfinished).forEach(out::println);
            BootGuardStatus.of(root, report).lines().forEach(out::println);
        }
        out.flush();
        return ExitCodes.OK;
    }
}
