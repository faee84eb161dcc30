package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.zfsguard.deb.FakeKernelPackages.NEW_K;
import static org.zfsguard.deb.FakeKernelPackages.OLD_K;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The demo the README's run command ends with, run as a newcomer runs it, against the .deb of
 * this build: it tells the whole story and leaves no chroot or mount behind. The phrases
 * asserted are the stable core of zfsguard's messages; the wording around them may change.
 */
class DemoIT extends ChrootSuite {

    /** The label of a line that names the next command ("run:" and "or:" in older wording). */
    private static final String NEXT = "(next|or):\\s+";

    /** The first run may debootstrap the base; the demo itself takes well under two minutes. */
    private static final Duration LIMIT = Duration.ofMinutes(20);

    @Test
    void theReadmeDemoShowsTheUpgradeTheWarningAndTheWayBackAndCleansUp() throws IOException {
        Path script = demoScriptOfTheReadme();
        Exec.Result r = Exec.run(List.of(script.toString(), pkg.deb().toString()), Exec.baseEnvironment(), LIMIT,
                Path.of("/var/tmp", "zfsguard-test-exec"));
        String out = r.stdout() + "\n" + r.stderr();
        System.out.println(out);
        assertThat(r.exitCode()).as(r.describe()).isZero();

        String upgrade = section(out, "==> step 4", "==> step 5");
        assertThat(upgrade).as("apt's output during the upgrade")
                .contains("Unpacking " + FakeKernelPackages.CURRENT_IMAGE)
                .contains("change detected")
                .containsPattern("backed up .*" + Pattern.quote(OLD_K) + ".*sha256 verified")
                .contains("NOT SAFE TO REBOOT")
                .contains(NEW_K)
                .containsPattern(NEXT + "sudo zfsguard restore " + Pattern.quote(OLD_K) + " --activate");
        String after = section(out, "==> step 5", "==> step 6");
        assertThat(after).as("status and backups after the upgrade").containsPattern("(?m)^NOT SAFE TO REBOOT")
                .containsPattern("(?m)^" + Pattern.quote(OLD_K) + "@" + Scenarios.GOOD_BACKUP);
        String back = section(out, "==> step 6", "==> step 7");
        assertThat(back).as("the way back").contains("restored boot set of " + OLD_K);
        String end = section(out, "==> step 7", "==> done");
        // The verdict line, not the problems list, which still names the new kernel's missing module.
        assertThat(end).as("status at the end").containsPattern("(?m)^SAFE TO REBOOT")
                .contains("next boot: " + OLD_K);

        Matcher chroot = Pattern.compile("chroot: (/var/tmp/zfsguard-chroot-[^/\\s]+)/root").matcher(out);
        assertThat(chroot.find()).as("the demo names its chroot\n" + out).isTrue();
        Path dir = Path.of(chroot.group(1));
        assertThat(MountTable.mountsUnder(dir)).as("mounts left under " + dir).isEmpty();
        assertThat(dir).as("the demo's chroot").doesNotExist();
    }

    @Test
    void withoutRootTheDemoSaysSoAndTouchesNothing() throws IOException {
        Path script = demoScriptOfTheReadme();
        Exec.Result r = Exec.run(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                script.toString(), pkg.deb().toString()), Exec.baseEnvironment(), Duration.ofMinutes(1),
                Path.of("/var/tmp", "zfsguard-test-exec"));
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
        assertThat(r.stderr()).as(r.describe()).contains("needs root").contains("sudo");
        assertThat(r.stdout()).as(r.describe()).doesNotContain("==> step");
    }

    /** The script the README's run command calls, checked to exist and be executable. */
    private static Path demoScriptOfTheReadme() throws IOException {
        String command = ReadmeTest.block("run-command").strip();
        String last = command.substring(command.lastIndexOf("&&") + 2).strip();
        assertThat(last).as("the README's run command ends with the demo").startsWith("demo/");
        Path script = ReadmeTest.TOP.resolve(last).toAbsolutePath().normalize();
        assertThat(script).isRegularFile().isExecutable();
        return script;
    }

    /** The text from {@code from} up to {@code to}: one step of the demo. */
    private static String section(String out, String from, String to) {
        int a = out.indexOf(from);
        int b = out.indexOf(to, Math.max(a, 0));
        assertThat(a).as(from + " in the demo's output\n" + out).isNotNegative();
        assertThat(b).as(to + " in the demo's output\n" + out).isGreaterThan(a);
        return out.substring(a, b);
    }
}
