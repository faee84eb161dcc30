package org.zfsguard.cli;

import java.io.PrintWriter;

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
            "Knows every installed kernel and whether ZFS will load on it, backs up the",
            "last known-good boot set before kernel or ZFS packages change, and rebuilds",
            "ZFS safely for the kernels that need it."
        },
        subcommands = {
            StatusCommand.class,
            CheckCommand.class,
            RebuildCommand.class,
            BackupCommand.class,
            BackupsCommand.class,
            VerifyCommand.class,
            RestoreCommand.class,
            PreflightCommand.class,
            HookCommand.class,
            CommandLine.HelpCommand.class
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

    /** Runs the command line and returns the exit code, without calling System.exit. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = newCommandLine();
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExitCodeExceptionMapper(ExitCodes::forException);
        cl.setExecutionExceptionHandler(new Failures());
        cl.setParameterExceptionHandler(Failures::onUsageError);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }
}
