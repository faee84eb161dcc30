package org.zfsguard.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Entry point of {@code /usr/bin/zfsguard}. Exit codes are the contract with
 * scripts and hooks; see {@link ExitCodes}.
 */
@Command(
        name = "zfsguard",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Keeps ZFS loadable across kernel upgrades.",
        description = {
            "Knows every installed kernel and whether ZFS will load on it, backs up the last known-good boot " +
                    "set before kernel or ZFS packages change, and rebuilds ZFS safely for the kernels that need it."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success; for check: the next boot is safe",
            "1:not safe to reboot, or the operation was refused",
            "2:error: could not tell, or could not do it",
            "64:usage error (unknown option, bad argument)"
        },
        footer = {"", "Run 'zfsguard COMMAND --help' for the options of a command; 'man 8 zfsguard' for the whole story."})
public final class Main implements Runnable {

    @Mixin
    GlobalOptions global;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        // No subcommand: show what there is instead of guessing.
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * The commands, in the order help lists them. Only the one a command line
     * names is built: picocli reads each command's annotations reflectively, and
     * every hook call and status pays for that at start-up.
     */
    private static final Map<String, Function<Effects, Object>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("status", e -> new StatusCommand());
        COMMANDS.put("check", e -> new CheckCommand());
        COMMANDS.put("rebuild", RebuildCommand::new);
        COMMANDS.put("backup", BackupCommand::new);
        COMMANDS.put("backups", BackupsCommand::new);
        COMMANDS.put("verify", VerifyCommand::new);
        COMMANDS.put("restore", RestoreCommand::new);
        COMMANDS.put("preflight", e -> new PreflightCommand());
        COMMANDS.put("pin", PinCommand::new);
        COMMANDS.put("metrics", e -> new MetricsCommand());
        COMMANDS.put("hook", e -> new HookCommand());
        COMMANDS.put("help", e -> new CommandLine.HelpCommand());
    }

    /** Runs the command line and returns the exit code, without calling System.exit. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, Effects.SYSTEM);
    }

    static int run(String[] args, PrintWriter out, PrintWriter err, Effects effects) {
        CommandLine cl = newCommandLine(args, effects);
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } catch (Error e) {
            // picocli hands only Exceptions to Failures; an Error must not end in a stack trace either.
            return Failures.onError(e, err);
        }
    }

    /** With every command, as help shows them. */
    static CommandLine newCommandLine() {
        return newCommandLine(new String[0]);
    }

    /** With only the command {@code args} name; with all of them for help or when none is named. */
    static CommandLine newCommandLine(String[] args) {
        return newCommandLine(args, Effects.SYSTEM);
    }

    private static CommandLine newCommandLine(String[] args, Effects effects) {
        CommandLine cl = new CommandLine(new Main());
        String named = commandNamed(args);
        for (Map.Entry<String, Function<Effects, Object>> c : COMMANDS.entrySet()) {
            if (named == null || named.equals("help") || named.equals(c.getKey())) {
                cl.addSubcommand(c.getKey(), c.getValue().apply(effects));
            }
        }
        cl.setExitCodeExceptionMapper(ExitCodes::forException);
        cl.setExecutionExceptionHandler(new Failures());
        cl.setParameterExceptionHandler(Failures::onUsageError);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        HelpText.install(cl);
        return cl;
    }

    /** The first argument that is a command name, skipping the value of a global option; or null. */
    static String commandNamed(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--root")) {
                i++;
            } else if (!a.startsWith("-")) {
                return COMMANDS.containsKey(a) ? a : null;
            }
        }
        return null;
    }
}
