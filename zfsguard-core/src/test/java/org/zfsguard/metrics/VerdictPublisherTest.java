package org.zfsguard.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.config.Config;
import org.zfsguard.config.ConfigException;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.state.EventJournal;
import org.zfsguard.state.StateDir;
import org.zfsguard.system.SystemRoot;

class VerdictPublisherTest {
    @TempDir
    Path dir;

    @Test
    void theMetricsGoIntoTheTextfileDirectoryInsideTheRootAndTheLoginFileNamesTheWayForward() throws Exception {
        ReadinessReport r = PrometheusTextTest.unsafeBoard(dir);
        Files.createDirectories(dir.resolve("var/lib/prometheus/node-exporter"));
        EventJournal.of(StateDir.at(dir.resolve("var/lib/zfsguard"))).append("boot-confirmed", Map.of());
        VerdictPublisher.Published p = VerdictPublisher.publish(SystemRoot.at(dir), Config.defaults(), r);
        assertThat(p.metrics()).isEqualTo(dir.resolve("var/lib/prometheus/node-exporter/zfsguard.prom"));
        assertThat(Files.readString(p.metrics())).contains("zfsguard_next_boot_safe 0\n")
                .contains("zfsguard_boot_confirmed_timestamp_seconds ");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p.metrics()))).isEqualTo("rw-r--r--");
        String login = Files.readString(dir.resolve("var/lib/zfsguard/next-boot"));
        assertThat(login).startsWith("NOT_SAFE\nzfsguard: NOT SAFE TO REBOOT")
                .contains("next: sudo").doesNotContain("--root");
        try (var left = Files.list(dir.resolve("var/lib/prometheus/node-exporter"))) {
            assertThat(left).containsExactly(p.metrics());
        }
    }

    @Test
    void withoutTheTextfileDirectoryNoMetricsAreWrittenAndNoneIsCreated() throws Exception {
        ReadinessReport r = PrometheusTextTest.unsafeBoard(dir);
        VerdictPublisher.Published p = VerdictPublisher.publish(SystemRoot.at(dir), Config.defaults(), r);
        assertThat(p.metrics()).isNull();
        assertThat(dir.resolve("var/lib/prometheus")).doesNotExist();
        assertThat(p.nextBoot()).exists();
    }

    @Test
    void anotherTextfileDirectoryComesFromTheConfiguration() throws Exception {
        ReadinessReport r = PrometheusTextTest.unsafeBoard(dir);
        Files.createDirectories(dir.resolve("srv/textfiles"));
        Config c = Config.parse("metrics_dir = /srv/textfiles\n", "test");
        assertThat(VerdictPublisher.publish(SystemRoot.at(dir), c, r).metrics()).isEqualTo(dir.resolve("srv/textfiles/zfsguard.prom"));
        assertThatThrownBy(() -> Config.parse("metrics_dir = /srv/../etc\n", "test")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("metrics_dir");
        assertThatThrownBy(() -> Config.parse("metrics_dir = relative/dir\n", "test")).isInstanceOf(ConfigException.class);
    }
}
