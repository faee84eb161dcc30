package org.zfsguard.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

@Command(name = "backup", mixinStandardHelpOptions = true, description = "Back up the boot set of a kernel (default: running and next-boot kernels).")
final class BackupCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw Unavailable.command("backup");
    }
}
