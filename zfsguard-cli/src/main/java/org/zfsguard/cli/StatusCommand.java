package org.zfsguard.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

@Command(name = "status", mixinStandardHelpOptions = true, description = "Show every installed kernel and whether ZFS will load on it.")
final class StatusCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw Unavailable.command("status");
    }
}
