package org.zfsguard.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

@Command(name = "check", mixinStandardHelpOptions = true, description = "Exit 0 when the next boot is safe, 1 when it is not, 2 when it cannot tell.")
final class CheckCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw Unavailable.command("check");
    }
}
