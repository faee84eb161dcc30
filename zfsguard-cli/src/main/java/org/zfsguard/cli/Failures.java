package org.zfsguard.cli;

import java.io.PrintWriter;

import org.slf4j.LoggerFactory;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import org.zfsguard.message.NextStep;

/**
 * Turns every failure into a message an operator can act on: one line saying
 * what went wrong, one naming the next command. Stack traces only with --verbose.
 */
final class Failures implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parseResult) {
        PrintWriter err = cl.getErr();
        if (ex instanceof UserError u) {
            err.println("zfsguard: " + u.getMessage());
            if (u.next() != null) {
                err.println("zfsguard:   " + NextStep.LABEL + u.next());
            }
            return u.exitCode();
        }
        err.println("zfsguard: internal error: " + ex);
        if (GlobalOptions.verbose()) {
            LoggerFactory.getLogger(Failures.class).error("stack trace", ex);
        } else {
            err.println("zfsguard:   " + NextStep.LABEL + "run the same command with --verbose and report the output");
        }
        return ExitCodes.ERROR;
    }

    /** An Error (out of memory, stack overflow) in one line; exit 2 like any error. */
    static int onError(Error e, PrintWriter err) {
        String what = e instanceof OutOfMemoryError ? "out of memory"
                : e instanceof StackOverflowError ? "stack overflow" : e.getClass().getSimpleName();
        String detail = e.getMessage() == null ? "" : ": " + org.zfsguard.system.SystemRoot.printable(e.getMessage());
        err.println("zfsguard: internal error: " + what + detail);
        if (GlobalOptions.verbose()) {
            LoggerFactory.getLogger(Failures.class).error("stack trace", e);
        } else {
            err.println("zfsguard:   next: run the same command with --verbose and report the output");
        }
        err.flush();
        return ExitCodes.ERROR;
    }

    static int onUsageError(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("zfsguard: " + ex.getMessage());
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            err.println("zfsguard:   did you mean " + String.join(" or ", u.getSuggestions().stream().limit(3).toList()) + "?");
        }
        String path = cl.getCommandSpec().qualifiedName(" ");
        err.println("zfsguard:   " + NextStep.LABEL + path + " --help");
        return ExitCodes.USAGE;
    }
}
