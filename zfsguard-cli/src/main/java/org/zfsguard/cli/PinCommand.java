package org.zfsguard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;

import org.zfsguard.config.Config;
import org.zfsguard.pin.CompatibilityPin;
import org.zfsguard.pin.Hold;
import org.zfsguard.pin.PinFile;
import org.zfsguard.pin.PinPlan;
import org.zfsguard.rebuild.CommandRunner;
import org.zfsguard.state.StateDir;
import org.zfsguard.state.ZfsguardLock;
import org.zfsguard.system.SystemRoot;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "pin", mixinStandardHelpOptions = true,
        description = {
            "Show the kernel versions apt keeps back because the installed OpenZFS does not support them "
                    + "(the compatibility pin, " + PinFile.PATH + "), and why.",
            "With --refresh, rewrite the pin from apt's package lists and the installed OpenZFS. When the lists "
                    + "offer a newer zfs-dkms, its Linux range is read from the package (apt's archive cache, or "
                    + "apt-get download once per version, kept in /var/lib/zfsguard/openzfs-meta/), so that "
                    + "apt brings a kernel together with an OpenZFS that supports it and keeps back only the others."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:shown, or refreshed", "1:the pin could not be written", "2:bad usage or configuration"})
final class PinCommand implements Callable<Integer> {
    private final Effects effects;

    PinCommand(Effects effects) {
        this.effects = effects;
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--refresh", description = "Rewrite the pin now (atomically; the change goes to the event journal).")
    boolean refresh;

    @Option(names = "--json", description = "Print the pin as one JSON document.")
    boolean json;

    @Option(names = "--no-download", description = "With --refresh: do not download a newer zfs-dkms from the lists "
            + "to read its Linux range (then the pin is lifted while that range is unknown).")
    boolean noDownload;

    @Option(names = "--quiet", description = "With --refresh: print nothing but errors (for apt's hook).")
    boolean quiet;

    @Override
    @SuppressWarnings("try") // the lock is held by being open for the whole block
    public Integer call() {
        SystemRoot root = GlobalOptions.root();
        PrintWriter out = spec.commandLine().getOut();
        Config config = BackupCommand.config(root);
        boolean auto = config.pin() == Config.PinMode.AUTO;
        List<String> problems = new ArrayList<>();
        Optional<PinPlan> plan;
        boolean upToDate;
        boolean changed = false;
        try {
            if (refresh) {
                StateDir state = BackupCommand.stateDir(root);
                state.ensure();
                try (ZfsguardLock lock = BackupCommand.lock(state, "sudo zfsguard pin --refresh", effects.lockWait())) {
                    plan = auto ? PinFile.compute(root, problems,
                            noDownload ? Optional.empty()
                                    : Optional.<Function<Path, CommandRunner>>of(CommandRunner::processesIn)) : Optional.empty();
                    changed = PinFile.apply(root, state, plan, auto ? "refresh" : "pin = off");
                }
            } else {
                plan = auto ? PinFile.compute(root, problems) : Optional.empty();
            }
            upToDate = plan.map(PinPlan::preferences).equals(PinFile.current(root));
        } catch (IOException e) {
            throw new UserError("cannot " + (refresh ? "write " : "read ") + PinFile.PATH + ": "
                    + SystemRoot.printable(String.valueOf(e.getMessage())),
                    refresh ? "check that / is writable, then run: sudo zfsguard pin --refresh" : "sudo zfsguard pin");
        }
        if (json) {
            out.println(json(config, plan, upToDate, changed, problems));
        } else if (!quiet) {
            text(out, auto, plan, upToDate, changed, problems);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static void text(PrintWriter out, boolean auto, Optional<PinPlan> plan, boolean upToDate, boolean changed,
            List<String> problems) {
        for (String p : problems) {
            out.println("warning: " + p);
        }
        if (!auto) {
            out.println("compatibility pin: off (pin = off in " + Config.PATH + "); no kernel is held back");
            if (!upToDate) {
                out.println("next: sudo zfsguard pin --refresh");
            }
            return;
        }
        if (plan.isEmpty()) {
            out.println("compatibility pin: none (no OpenZFS source in /usr/src); no kernel is held back");
            return;
        }
        PinPlan p = plan.get();
        out.println("compatibility pin: " + PinFile.PATH + (changed ? " (rewritten)" : upToDate ? "" : " (out of date)"));
        out.println("OpenZFS " + p.openZfs().version() + " supports Linux " + p.openZfs().linuxMinimum() + " to "
                + p.openZfs().linuxMaximum());
        p.lifted().ifPresent(l -> out.println("no kernel is held: " + l));
        p.candidate().ifPresent(c -> out.println(c.describe() + " is in apt's lists: apt may bring it together with"
                + " a kernel it supports"));
        if (p.holds().isEmpty() && p.lifted().isEmpty()) {
            out.println(p.candidate().isPresent() ? "no kernel in apt's lists is outside both ranges; nothing is held back"
                    : "no kernel in apt's lists is outside that range; nothing is held back");
        }
        for (Hold h : p.holds()) {
            out.println("held: " + h.packageName() + " " + h.version() + " (Linux " + h.kernel() + ")");
        }
        if (!upToDate) {
            out.println("next: sudo zfsguard pin --refresh");
        }
    }

    private static String json(Config config, Optional<PinPlan> plan, boolean upToDate, boolean changed, List<String> problems) {
        JsonObject o = new JsonObject();
        o.addProperty("file", PinFile.PATH);
        o.addProperty("mode", config.pin().name().toLowerCase(java.util.Locale.ROOT));
        o.addProperty("upToDate", upToDate);
        o.addProperty("changed", changed);
        plan.ifPresent(p -> {
            JsonObject z = new JsonObject();
            z.addProperty("version", p.openZfs().version());
            z.addProperty("linuxMinimum", String.valueOf(p.openZfs().linuxMinimum()));
            z.addProperty("linuxMaximum", String.valueOf(p.openZfs().linuxMaximum()));
            o.add("openzfs", z);
            p.lifted().ifPresent(l -> o.addProperty("lifted", l));
            p.candidate().ifPresent(c -> {
                JsonObject n = new JsonObject();
                n.addProperty("package", CompatibilityPin.ZFS_DKMS);
                n.addProperty("version", c.packageVersion());
                n.addProperty("openzfs", c.meta().version());
                n.addProperty("linuxMinimum", String.valueOf(c.meta().linuxMinimum()));
                n.addProperty("linuxMaximum", String.valueOf(c.meta().linuxMaximum()));
                o.add("candidate", n);
            });
        });
        JsonArray holds = new JsonArray();
        for (Hold h : plan.map(PinPlan::holds).orElse(List.of())) {
            JsonObject j = new JsonObject();
            j.addProperty("package", h.packageName());
            j.addProperty("version", h.version());
            j.addProperty("kernel", h.kernel().text());
            j.addProperty("reason", h.reason());
            holds.add(j);
        }
        o.add("holds", holds);
        JsonArray pr = new JsonArray();
        problems.forEach(pr::add);
        o.add("problems", pr);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o);
    }
}
