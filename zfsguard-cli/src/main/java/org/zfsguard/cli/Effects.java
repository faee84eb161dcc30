package org.zfsguard.cli;

import java.time.Duration;

import org.zfsguard.backup.Depmod;
import org.zfsguard.backup.ProcessDepmod;
import org.zfsguard.rebuild.BuildRunner;
import org.zfsguard.rebuild.BuildTools;
import org.zfsguard.rebuild.CommandRunner;
import org.zfsguard.rebuild.ProcessLauncher;
import org.zfsguard.rebuild.Sleeper;
import org.zfsguard.rebuild.SystemProcessLauncher;
import org.zfsguard.system.SystemRoot;

/**
 * What the commands reach beyond the files under the root: the programs they start, how
 * long they wait, whom they ask. {@link Main} hands {@link #SYSTEM} to every command it
 * builds; a test hands its own, overriding only what it fakes. Each default is made when
 * asked for, so a command that never builds pays nothing for the others at start-up.
 */
interface Effects {
    Effects SYSTEM = new Effects() {
    };

    /** How long a command waits for zfsguard's lock before it refuses. */
    default Duration lockWait() {
        return Duration.ofSeconds(10);
    }

    default Depmod depmod() {
        return new ProcessDepmod();
    }

    default BuildTools buildTools(SystemRoot root) {
        return BuildTools.standard(root);
    }

    default ProcessLauncher launcher() {
        return new SystemProcessLauncher();
    }

    default BuildRunner.Settings runnerSettings() {
        return BuildRunner.Settings.defaults();
    }

    default Sleeper sleeper() {
        return Sleeper.system();
    }

    /** Runs update-initramfs. */
    default CommandRunner commands() {
        return CommandRunner.processes();
    }

    /** Runs grub-set-default and grub-reboot for the boot guard. */
    default CommandRunner guardCommands() {
        return CommandRunner.processes();
    }

    default RebuildCommand.Confirmation confirmation() {
        return RebuildCommand.Confirmation.system();
    }
}
