package org.zfsguard.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

@Command(name = "verify", mixinStandardHelpOptions = true, description = "Re-hash boot-set backups and report any damage.")
final class VerifyCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw Unavailable.command("verify");
    }
}
