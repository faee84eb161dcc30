package org.zfsguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** check --nagios and metrics: the fleet's view of the same verdict. */
class FleetCommandsTest {
    static final String K2 = ReadinessCommandsTest.K2;

    @TempDir
    Path root;

    /** The readiness tests' fixture helpers, on this test's root. */
    ReadinessCommandsTest fx;

    @BeforeEach
    void fixtures() {
        fx = new ReadinessCommandsTest();
        fx.root = root;
    }

    CliRun run(String... args) {
        return CliRun.in(root, args);
    }

    @AfterEach
    void resetOptions() {
        GlobalOptions.reset();
    }

    void safe() throws IOException {
        fx.kernel(K2);
        fx.zfs(K2, K2);
        fx.meta();
        fx.grubBoots(K2);
    }

    @Test
    void nagiosOkOnASafeBoardWithPerfdata() throws IOException {
        safe();
        CliRun r = run("check", "--nagios");
        assertThat(r.code()).isZero();
        assertThat(r.out().strip().lines()).singleElement().asString()
                .startsWith("ZFSGUARD OK - SAFE TO REBOOT")
                .endsWith("| next_boot_safe=1;;1:;0;1 kernels=1;;;0 kernels_not_ok=0;;;0 held_kernels=0;0;;0 backups_damaged=0;0;;0");
    }

    @Test
    void nagiosCriticalWhenTheNextBootHasNoZfs() throws IOException {
        fx.wrongKernelBug();
        CliRun r = run("check", "--nagios");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).startsWith("ZFSGUARD CRITICAL - NOT SAFE TO REBOOT").contains("next: sudo zfsguard")
                .contains("next_boot_safe=0;;1:;0;1 kernels=2;;;0 kernels_not_ok=1;;;0");
    }

    @Test
    void nagiosWarningWhenSafeButABackupIsDamaged() throws IOException {
        safe();
        fx.write("/var/lib/zfsguard/backups/sets/" + K2 + "@20261124T040000Z-3fa9c1/manifest", "garbage\n".getBytes());
        CliRun r = run("check", "--nagios");
        assertThat(r.code()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).startsWith("ZFSGUARD WARNING - SAFE TO REBOOT").contains("1 damaged backup(s)")
                .contains("backups_damaged=1;0;;0");
    }

    @Test
    void nagiosUnknownWithoutZfsAndOnABrokenConfiguration() throws IOException {
        fx.kernel(K2);
        assertThat(run("check", "--nagios").code()).isEqualTo(3);
        safe();
        fx.write("/etc/zfsguard/zfsguard.conf", "jobs = many\n".getBytes());
        CliRun r = run("check", "--nagios");
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.out()).startsWith("ZFSGUARD UNKNOWN - cannot tell: ").contains("jobs");
    }

    @Test
    void metricsPrintsPrometheusTextAndWriteReplacesTheTextfile() throws IOException {
        fx.wrongKernelBug();
        CliRun printed = run("metrics");
        assertThat(printed.code()).isZero();
        assertThat(printed.out()).contains("zfsguard_next_boot_safe 0\n")
                .contains("zfsguard_verdict_info{kernel=\"" + K2 + "\",verdict=\"MISSING\",next_boot=\"true\",running=\"false\"} 1");

        CliRun nowhere = run("metrics", "--write");
        assertThat(nowhere.code()).isZero();
        assertThat(nowhere.out()).contains("no metrics written: /var/lib/prometheus/node-exporter does not exist")
                .contains("next: sudo apt install prometheus-node-exporter");
        assertThat(root.resolve("var/lib/zfsguard/next-boot")).content().startsWith("NOT_SAFE\n");

        Files.createDirectories(root.resolve("var/lib/prometheus/node-exporter"));
        CliRun written = run("metrics", "--write");
        assertThat(written.out()).isEqualTo("wrote /var/lib/prometheus/node-exporter/zfsguard.prom\n");
        assertThat(root.resolve("var/lib/prometheus/node-exporter/zfsguard.prom")).content().contains("zfsguard_next_boot_safe 0\n");
    }

    @Test
    void theBootTimeConfirmationPublishesTheVerdictToo() throws IOException {
        safe();
        Path prom = Files.createDirectories(root.resolve("var/lib/prometheus/node-exporter")).resolve("zfsguard.prom");
        CliRun r = run("hook", "boot-confirm", "pools");
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(prom).content().contains("zfsguard_next_boot_safe 1");
    }
}
