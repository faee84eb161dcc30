package org.zfsguard.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.zfsguard.hook.HookContext;
import org.zfsguard.hook.ManualPreflight;
import org.zfsguard.message.NextStep;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "preflight", mixinStandardHelpOptions = true,
        description = {
            "Tell what installing the given packages would do to ZFS, as the apt hook's preflight gate " +
                    "decides before dpkg runs: the kernel releases and OpenZFS version they bring, and whether the " +
                    "kernel that boots next would still load ZFS. Changes nothing.",
            "Exit 0 when the gate would let the operation go ahead (with or without warnings), 1 when it " +
                    "would refuse it, 2 when a package cannot be read."
        })
final class PreflightCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DEB", arity = "1..*",
            description = "Package files such as linux-image-*.deb, from /var/cache/apt/archives or apt-get download NAME.")
    List<Path> debs;

    @Override
    public Integer call() {
        for (Path d : debs) {
            if (!Files.isRegularFile(d)) {
                throw new UserError(d + ": no such package file", "apt-get download PACKAGE, then " + GlobalOptions.command(NextStep.zfsguard("preflight"))
                        + " ./PACKAGE_*.deb");
            }
        }
        HookContext ctx = new HookContext(GlobalOptions.root(), spec.commandLine().getOut(), System.getenv());
        return ManualPreflight.run(ctx, debs);
    }
}
