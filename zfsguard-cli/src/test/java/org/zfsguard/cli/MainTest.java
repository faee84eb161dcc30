package org.zfsguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {


    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @AfterEach
    void reset() {
        GlobalOptions.reset();
    }

    @Test
    void anErrorIsOneLineAndExitTwoNeverAStackTrace() {
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Failures.onError(new OutOfMemoryError("Java heap space"), new java.io.PrintWriter(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("zfsguard: internal error: out of memory: Java heap space\n"
                + "zfsguard:   next: run the same command with --verbose and report the output\n");
        java.io.StringWriter err2 = new java.io.StringWriter();
        assertThat(Failures.onError(new StackOverflowError(), new java.io.PrintWriter(err2))).isEqualTo(2);
        assertThat(err2.toString()).startsWith("zfsguard: internal error: stack overflow\n").doesNotContain("\tat ");
    }

    @Test
    void versionPrintsTheMavenVersion() {
        CliRun r = run("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).matches("zfsguard \\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void helpListsEveryCommandOfTheProductSurface() {
        CliRun r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("status", "check", "rebuild", "backup", "backups", "verify",
                "restore", "preflight", "hook", "--root", "Exit codes");
    }

    @Test
    void everySubcommandHasHelp() {
        for (String sub : Main.newCommandLine().getSubcommands().keySet()) {
            CliRun r = run(sub, "--help");
            assertThat(r.code()).as(sub).isZero();
            assertThat(r.out()).as(sub).contains("Usage: zfsguard " + sub);
        }
    }

    @Test
    void onlyTheNamedCommandIsBuiltButHelpSeesThemAll() {
        assertThat(Main.newCommandLine(new String[] {"--root", "/x", "status", "--json"}).getSubcommands())
                .containsOnlyKeys("status");
        assertThat(Main.newCommandLine(new String[] {"--root", "status", "check"}).getSubcommands())
                .containsOnlyKeys("check");
        assertThat(Main.newCommandLine(new String[] {"help", "status"}).getSubcommands())
                .containsKeys("status", "check", "hook", "help");
        assertThat(Main.newCommandLine(new String[] {"--version"}).getSubcommands()).hasSize(12);
        assertThat(Main.newCommandLine(new String[] {"nonsense"}).getSubcommands()).hasSize(12);
    }

    @Test
    void rootIsAcceptedBeforeAndAfterTheSubcommand(@TempDir Path dir) {
        run("--root", dir.toString(), "help");
        assertThat(GlobalOptions.root().path()).isEqualTo(dir.toAbsolutePath());
        GlobalOptions.reset();
        run("backups", "--root", dir.toString());
        assertThat(GlobalOptions.root().path()).isEqualTo(dir.toAbsolutePath());
    }

    @Test
    void unknownOptionIsAUsageErrorNamingTheHelpCommand() {
        CliRun r = run("status", "--no-such-option");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--no-such-option").contains("zfsguard status --help");
    }

    @Test
    void rootThatIsNotADirectoryIsAClearError(@TempDir Path dir) {
        CliRun r = run("--root", dir.resolve("missing").toString(), "backups");
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).contains("is not a directory").doesNotContain("Exception");
    }
}
