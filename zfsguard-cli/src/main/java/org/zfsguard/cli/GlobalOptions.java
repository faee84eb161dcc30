package org.zfsguard.cli;

import java.nio.file.Path;

import org.zfsguard.message.NextStep;
import org.zfsguard.system.SystemRoot;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Options every command takes, before or after the subcommand name
 * ({@code zfsguard --root /mnt status} and {@code zfsguard status --root /mnt}).
 * Inherited options are copied into each subcommand, so the values are kept in
 * static state set by whichever copy picocli matched.
 */
public final class GlobalOptions {
    private static Path rootDir;
    private static boolean verbose;

    @Option(names = "--root", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Act on the system mounted at DIR (image builds, chroots, tests). Default: /.")
    void setRoot(Path dir) {
        rootDir = dir;
    }

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Print diagnostics (to standard error).")
    void setVerbose(boolean v) {
        verbose = v;
        Logging.setVerbose(v);
    }

    /** The system root chosen on the command line. */
    public static SystemRoot root() {
        if (rootDir == null) {
            return SystemRoot.host();
        }
        try {
            return SystemRoot.at(rootDir);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), "give --root an existing directory that holds a system");
        }
    }

    /**
     * A next step as the operator types it on this command line's root, so
     * that it keeps the {@code --root DIR} they gave; the host's form when the
     * root itself is what is wrong.
     */
    public static String command(NextStep step) {
        return step.command(rootForMessages());
    }

    /** {@code next: } and {@link #command}. */
    public static String line(NextStep step) {
        return step.line(rootForMessages());
    }

    private static SystemRoot rootForMessages() {
        try {
            return rootDir == null ? SystemRoot.host() : SystemRoot.at(rootDir);
        } catch (IllegalArgumentException e) {
            return SystemRoot.host();
        }
    }

    public static boolean verbose() {
        return verbose;
    }

    static void reset() {
        rootDir = null;
        verbose = false;
    }
}
