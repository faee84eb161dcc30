package org.zfsguard.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.kernel.RunningKernel;
import org.zfsguard.rebuild.CommandRunner;
import org.zfsguard.state.StateDir;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.testing.FixtureSystem;

/** The boot-time units' work on a fixture root: sysfs files written, zpool and systemctl recorded. */
class BootConfirmTest {
    static final String OLD = "6.12.57-current-rockchip64";
    static final String NEW = "6.12.58-current-rockchip64";

    @TempDir
    Path dir;

    final List<List<String>> commands = new ArrayList<>();
    List<String> zpoolOutput = List.of("tank");

    final CommandRunner recorder = (argv, lines) -> {
        commands.add(argv);
        if (argv.get(0).equals("zpool")) {
            zpoolOutput.forEach(lines);
        }
        return 0;
    };

    StateDir state() {
        return StateDir.at(dir.resolve("var/lib/zfsguard"));
    }

    BootConfirm confirm(String running) {
        return new BootConfirm(SystemRoot.at(dir), state(), recorder,
                Clock.fixed(Instant.parse("2026-11-30T02:40:00Z"), ZoneOffset.UTC),
                () -> new RunningKernel(KernelRelease.parse(running), "test"));
    }

    void trial() throws IOException {
        GuardState.Data d = BootConfirmationTest.onTrial(NEW, OLD, 0);
        new GuardState(state()).write(d);
    }

    FixtureSystem armbian() {
        FixtureSystem fx = new FixtureSystem(dir).write("/etc/armbian-release", "BOARD=rockpro64\n");
        for (String k : List.of(OLD, NEW)) {
            fx.write("/boot/vmlinuz-" + k, "kernel " + k).write("/boot/uInitrd-" + k, "initrd " + k).mkdir("/boot/dtb-" + k);
        }
        return fx.armbianBootLinks(NEW).symlink("/boot/dtb", "dtb-" + NEW);
    }

    @Test
    void aTrialThatImportsThePoolsIsConfirmedAndJournaled() throws IOException {
        armbian().write("/sys/module/zfs/version", "2.3.4-1\n").write("/etc/zfs/zpool.cache", "x");
        trial();
        List<String> said = new ArrayList<>();

        confirm(NEW).run(BootConfirmation.Stage.MODULES, said);
        BootConfirmation.Result r = confirm(NEW).run(BootConfirmation.Stage.POOLS, said);

        assertThat(r.event()).isEqualTo("boot-confirmed");
        GuardState.Data s = new GuardState(state()).read();
        assertThat(s.knownGood).isEqualTo(NEW);
        assertThat(s.trial).isNull();
        assertThat(s.lastConfirmedBoot.zfsVersion).isEqualTo("2.3.4-1");
        assertThat(commands).containsExactly(List.of("zpool", "list", "-H", "-o", "name"));
        assertThat(Files.readSymbolicLink(dir.resolve("boot/Image")).toString()).isEqualTo("vmlinuz-" + NEW);
        String journal = Files.readString(state().journalFile());
        assertThat(journal).contains("\"boot-recorded\"").contains("\"boot-confirmed\"").contains("\"zfs_version\":\"2.3.4-1\"");
    }

    @Test
    void aTrialWithoutZfsRepointsTheLinksAndRebootsOnce() throws IOException {
        armbian();
        trial();
        List<String> said = new ArrayList<>();

        confirm(NEW).run(BootConfirmation.Stage.MODULES, said);
        BootConfirmation.Result r = confirm(NEW).run(BootConfirmation.Stage.POOLS, said);

        assertThat(r.action()).isEqualTo(BootConfirmation.Action.POINT_BACK_AND_REBOOT);
        assertThat(Files.readSymbolicLink(dir.resolve("boot/Image")).toString()).isEqualTo("vmlinuz-" + OLD);
        assertThat(Files.readSymbolicLink(dir.resolve("boot/uInitrd")).toString()).isEqualTo("uInitrd-" + OLD);
        assertThat(commands).containsExactly(List.of("systemctl", "reboot"));
        assertThat(new GuardState(state()).read().failedTrials).containsExactly(NEW);

        // The fallback boot without ZFS (the worst case) asks for no second reboot.
        commands.clear();
        confirm(OLD).run(BootConfirmation.Stage.POOLS, said);
        assertThat(commands).isEmpty();
        assertThat(said).anyMatch(l -> l.startsWith("THIS BOOT HAS NO ZFS: " + OLD));
    }

    @Test
    void aCacheFileWithNoImportedPoolIsNotAConfirmation() throws IOException {
        armbian().write("/sys/module/zfs/version", "2.3.4-1\n").write("/etc/zfs/zpool.cache", "x");
        trial();
        zpoolOutput = List.of();
        BootConfirmation.Result r = confirm(NEW).run(BootConfirmation.Stage.POOLS, new ArrayList<>());
        assertThat(r.facts().poolsImported()).isFalse();
        assertThat(r.event()).isEqualTo("trial-failed");
    }
}
