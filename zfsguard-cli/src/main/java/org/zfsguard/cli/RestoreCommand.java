package org.zfsguard.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

@Command(name = "restore", mixinStandardHelpOptions = true, description = "Restore the boot set of a kernel from a backup.")
final class RestoreCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw Unavailable.command("restore");
    }
}
