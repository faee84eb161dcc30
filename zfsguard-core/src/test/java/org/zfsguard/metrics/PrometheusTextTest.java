package org.zfsguard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.readiness.ReadinessEngine;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.testing.FixtureSystem;

class PrometheusTextTest {
    static final String OLD = "6.12.57-current-rockchip64";
    static final String NEW = "6.12.58-current-rockchip64";

    @TempDir
    Path dir;

    /** An Armbian board after an in-place upgrade: the new kernel boots next and has no module. */
    static ReadinessReport unsafeBoard(Path dir) {
        new FixtureSystem(dir).kernel(OLD, "linux-image-old").kernel(NEW, "linux-image-current-rockchip64")
                .armbianBootLinks(NEW).meta("2.3.4", "1", "4.18", "6.15")
                .dkmsZfs(OLD, "2.3.4-1").dkmsTree("2.3.4", OLD, "aarch64", true).packageInstalled("zfs-dkms");
        return new ReadinessEngine(SystemRoot.at(dir)).evaluate();
    }

    static FleetFacts facts(ReadinessReport r) {
        return new FleetFacts(r,
                List.of(new FleetFacts.HeldKernel("linux-image-edge-rockchip64", "6.18.1-edge-rockchip64",
                        "kernel 6.18 is outside \"OpenZFS\" 2.3.4's C:\\range\nLinux 4.18..6.15")),
                Optional.of(Instant.parse("2026-11-29T22:39:49Z")), 1,
                Optional.of(new FleetFacts.RebuildResult("aborted", NEW, Instant.parse("2026-11-30T01:00:00Z"))),
                Optional.of(Instant.parse("2026-11-30T00:00:00Z")), Optional.empty());
    }

    @Test
    void anUnsafeBoardIsOneGaugeAtZeroAndAVerdictSeriesPerKernel() {
        String text = PrometheusText.render(facts(unsafeBoard(dir)));
        assertThat(text).contains("zfsguard_next_boot_safe 0\n")
                .contains("zfsguard_verdict_info{kernel=\"" + NEW + "\",verdict=\"MISSING\",next_boot=\"true\",running=\"false\"} 1\n")
                .contains("zfsguard_verdict_info{kernel=\"" + OLD + "\",verdict=\"OK\",next_boot=\"false\",running=\"false\"} 1\n")
                .contains("zfsguard_last_backup_timestamp_seconds 1795991989\n")
                .contains("zfsguard_backup_damaged 1\n")
                .contains("zfsguard_rebuild_last_result_info{result=\"aborted\",kernel=\"" + NEW + "\"} 1\n")
                .contains("zfsguard_openzfs_linux_max_info{version=\"2.3.4-1\",linux_max=\"6.15\",linux_min=\"4.18\"} 1\n")
                .contains("# TYPE zfsguard_next_boot_safe gauge\n");
    }

    @Test
    void labelValuesEscapeBackslashQuoteAndNewline() {
        String text = PrometheusText.render(facts(unsafeBoard(dir)));
        assertThat(text).contains("reason=\"kernel 6.18 is outside \\\"OpenZFS\\\" 2.3.4's C:\\\\range\\nLinux 4.18..6.15\"");
        assertThat(text.lines()).allSatisfy(l -> assertThat(l).doesNotStartWith("Linux"));
    }

    @Test
    void aBootConfirmationIsReportedOnlyWhenOneIsKnown() {
        ReadinessReport r = unsafeBoard(dir);
        assertThat(PrometheusText.render(facts(r))).doesNotContain("zfsguard_boot_confirmed_timestamp_seconds");
        FleetFacts f = facts(r);
        FleetFacts confirmed = new FleetFacts(r, f.held(), f.lastBackup(), 0, f.lastRebuild(), f.lastChange(),
                Optional.of(Instant.ofEpochSecond(1796100000L)));
        assertThat(PrometheusText.render(confirmed)).contains("zfsguard_boot_confirmed_timestamp_seconds 1796100000\n");
    }

    @Test
    void noSampleCarriesATimestamp() {
        for (String line : PrometheusText.render(facts(unsafeBoard(dir))).split("\n")) {
            if (!line.startsWith("#")) {
                // a sample ends in its value; a timestamp would be a second number after it
                String afterName = line.contains("}") ? line.substring(line.lastIndexOf('}') + 1) : line.substring(line.indexOf(' '));
                assertThat(afterName.trim().split(" ")).as(line).hasSize(1);
            }
        }
    }

    /** Prometheus' own linter reads the file as node_exporter would, and finds nothing wrong. */
    @Test
    void promtoolAcceptsTheOutput() throws IOException, InterruptedException {
        String text = PrometheusText.render(facts(unsafeBoard(dir)));
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).as(text).isEmpty();
    }
}
