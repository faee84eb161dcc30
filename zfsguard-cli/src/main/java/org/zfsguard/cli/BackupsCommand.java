package org.zfsguard.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

@Command(name = "backups", mixinStandardHelpOptions = true, description = "List the boot-set backups.")
final class BackupsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw Unavailable.command("backups");
    }
}
