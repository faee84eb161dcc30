package org.zfsguard.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

@Command(name = "rebuild", mixinStandardHelpOptions = true, description = "Build ZFS for the kernels that need it, one job at a time, under a temperature limit.")
final class RebuildCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw Unavailable.command("rebuild");
    }
}
