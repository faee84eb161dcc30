package org.zfsguard.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

@Command(name = "preflight", mixinStandardHelpOptions = true, description = "Tell what a pending package operation would do to ZFS.")
final class PreflightCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw Unavailable.command("preflight");
    }
}
