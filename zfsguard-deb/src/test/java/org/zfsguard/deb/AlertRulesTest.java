package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * The shipped Prometheus alert rules pass Prometheus' own checker and their unit tests
 * ({@code promtool test rules}: unsafe next boot critical at once, a kernel held back for more
 * than 7 days, damaged backups, no confirmed boot since the last change); the fleet examples'
 * shell is shellcheck clean.
 */
class AlertRulesTest {
    static final Path EXAMPLES = Path.of("..", "debian-resources", "examples");

    @Test
    void promtoolChecksTheRules() {
        Exec.Result r = promtool("check", "rules", "zfsguard.rules.yml");
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout()).contains("SUCCESS: 4 rules found");
    }

    @Test
    void promtoolRunsTheRulesUnitTests() {
        Exec.Result r = promtool("test", "rules", "zfsguard.rules.test.yml");
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout()).contains("SUCCESS");
    }

    @Test
    void theLoginMessageAndTheFactAreShellcheckClean() {
        for (Path script : new Path[] {Path.of("..", "debian-resources", "hooks", "motd"),
            Path.of("..", "debian-resources", "shims", "update-motd"), EXAMPLES.resolve("ansible/zfsguard.fact")}) {
            Exec.Result r = Exec.host(Duration.ofMinutes(2), "shellcheck", "--shell=sh", "--severity=style",
                    script.toAbsolutePath().toString());
            assertThat(r.exitCode()).as(r.describe()).isZero();
        }
    }

    private static Exec.Result promtool(String... args) {
        if (!Files.isExecutable(Path.of("/usr/bin/promtool"))) {
            throw new AssertionError("promtool is not installed: run .ci/install-deps (apt-get install prometheus)");
        }
        // promtool finds the rule files a test file names next to that test file.
        String[] cmd = new String[args.length + 1];
        cmd[0] = "promtool";
        System.arraycopy(args, 0, cmd, 1, args.length);
        cmd[args.length] = EXAMPLES.resolve(args[args.length - 1]).toAbsolutePath().normalize().toString();
        return Exec.host(Duration.ofMinutes(5), cmd);
    }
}
