package org.zfsguard.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.system.SystemRoot;

class NextStepTest {
    @TempDir
    Path dir;

    @Test
    void onTheRunningSystemARootCommandGetsSudoAndNothingElse() {
        NextStep s = NextStep.zfsguardAsRoot("rebuild", "--kernel", "6.12.58-current-rockchip64");
        assertThat(s.line(SystemRoot.host())).isEqualTo("next: sudo zfsguard rebuild --kernel 6.12.58-current-rockchip64");
        assertThat(NextStep.zfsguard("status").line(SystemRoot.host())).isEqualTo("next: zfsguard status");
    }

    @Test
    void theRootTheOperatorGaveIsKeptAndQuoted() throws IOException {
        Path mnt = Files.createDirectories(dir.resolve("my image"));
        SystemRoot root = SystemRoot.at(mnt);
        assertThat(NextStep.zfsguardAsRoot("restore", "6.1.0-1-amd64", "--activate").command(root))
                .isEqualTo("sudo zfsguard --root '" + mnt + "' restore 6.1.0-1-amd64 --activate");
        assertThat(NextStep.zfsguard("status").command(root)).isEqualTo("zfsguard --root '" + mnt + "' status");
    }

    @Test
    void anotherProgramRunsInsideTheRootThroughChroot() {
        SystemRoot root = SystemRoot.at(dir);
        assertThat(NextStep.toolAsRoot("update-initramfs", "-u", "-k", "6.1.0-1-amd64").command(root))
                .isEqualTo("sudo chroot " + dir + " update-initramfs -u -k 6.1.0-1-amd64");
        assertThat(NextStep.toolAsRoot("update-initramfs", "-u").command(SystemRoot.host()))
                .isEqualTo("sudo update-initramfs -u");
    }

    @Test
    void proseIsSaidAsItIsAndANoteFollowsTheCommand() {
        assertThat(NextStep.prose("boot another kernel").line(SystemRoot.at(dir))).isEqualTo("next: boot another kernel");
        assertThat(NextStep.zfsguardAsRoot("rebuild").because("(one job)").command(SystemRoot.host()))
                .isEqualTo("sudo zfsguard rebuild   (one job)");
    }

    @Test
    void wordsAShellWouldSplitOrExpandAreQuoted() {
        assertThat(NextStep.quoted("plain-word_1.2/x")).isEqualTo("plain-word_1.2/x");
        assertThat(NextStep.quoted("a b")).isEqualTo("'a b'");
        assertThat(NextStep.quoted("it's")).isEqualTo("'it'\\''s'");
        assertThat(NextStep.quoted("$(reboot)")).isEqualTo("'$(reboot)'");
        assertThat(NextStep.quoted("")).isEqualTo("''");
    }

    @Test
    void controlCharactersNeverReachTheTerminal() {
        assertThat(NextStep.zfsguardAsRoot("restore", "x\u001b[2Jy").command(SystemRoot.host())).doesNotContain("\u001b");
    }

    @Test
    void theHostFormIsWhatToStringGives() {
        assertThat(NextStep.zfsguardAsRoot("backup")).hasToString("sudo zfsguard backup")
                .isEqualTo(NextStep.zfsguardAsRoot("backup")).isNotEqualTo(NextStep.zfsguard("backup"));
    }
}
