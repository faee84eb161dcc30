package org.zfsguard.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.zfsguard.config.Config;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.readiness.VerdictSentence;
import org.zfsguard.state.AtomicFiles;
import org.zfsguard.state.StateDir;
import org.zfsguard.state.StateFiles;
import org.zfsguard.system.SystemRoot;

/**
 * Leaves a verdict where the tools around zfsguard read it without starting
 * Java: {@code zfsguard.prom} in node_exporter's textfile directory, and
 * {@value #NEXT_BOOT_FILE} for the login message. Each file is replaced in one
 * rename, so a reader sees the old verdict or the new one, never half of one.
 */
public final class VerdictPublisher {
    /** Read by /usr/lib/zfsguard/motd: first line the overall verdict, then the lines to show. */
    public static final String NEXT_BOOT_FILE = "next-boot";
    public static final String PROM_FILE = "zfsguard.prom";

    private VerdictPublisher() {
    }

    /** Where the files went: host paths, for messages and tests. */
    public record Published(Path nextBoot, Path metrics) {
    }

    /** Writes both files; the metrics only when the textfile directory exists. */
    public static Published publish(SystemRoot root, Config config, ReadinessReport report) throws IOException {
        Path state = StateDir.of(root).ensure();
        Path nextBoot = state.resolve(NEXT_BOOT_FILE);
        StateFiles.requireRegularOrAbsent(nextBoot);
        write(nextBoot, nextBootText(report));
        Path dir = root.resolveAll(config.metricsDir());
        if (!Files.isDirectory(dir)) {
            return new Published(nextBoot, null);
        }
        Path prom = dir.resolve(PROM_FILE);
        StateFiles.requireRegularOrAbsent(prom);
        write(prom, PrometheusText.render(FleetFactsReader.read(root, config, report)));
        return new Published(nextBoot, prom);
    }

    /**
     * {@link #publish}, for hooks: a failure comes back as one line to print and
     * changes nothing else the hook does.
     */
    public static List<String> publishQuietly(SystemRoot root, Config config, ReadinessReport report) {
        List<String> said = new ArrayList<>();
        try {
            publish(root, config, report);
        } catch (IOException | RuntimeException e) {
            said.add("the verdict was not written for metrics and the login message: " + e.getMessage());
        }
        return said;
    }

    /**
     * The login message's file. Its commands are for the machine itself, so they
     * never carry {@code --root}, even when the verdict was made from outside.
     */
    static String nextBootText(ReadinessReport report) {
        StringBuilder b = new StringBuilder(report.overall().name()).append('\n');
        b.append("zfsguard: ").append(VerdictSentence.of(report)).append('\n');
        VerdictSentence.nextStep(report).ifPresent(s -> b.append("zfsguard:   ").append(s.line(SystemRoot.host())).append('\n'));
        return b.toString();
    }

    private static void write(Path target, String text) throws IOException {
        Path temp = AtomicFiles.writeTemp(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
        try {
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            AtomicFiles.commit(temp, target);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }
}
