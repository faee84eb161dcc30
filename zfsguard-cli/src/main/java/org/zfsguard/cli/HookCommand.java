package org.zfsguard.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

@Command(name = "hook", mixinStandardHelpOptions = true, description = "Entry points for the apt, dpkg and kernel hooks (not for people).")
final class HookCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw Unavailable.command("hook");
    }
}
