package org.zfsguard.metrics;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.zfsguard.kernel.KernelSeries;
import org.zfsguard.readiness.KernelReadiness;
import org.zfsguard.zfs.OpenZfsMeta;

/**
 * {@link FleetFacts} in Prometheus' text exposition format (version 0.0.4), the
 * format node_exporter's textfile collector reads. No sample carries a
 * timestamp: the collector stamps them at scrape time, and a stale file shows
 * through {@code node_textfile_mtime_seconds}.
 */
public final class PrometheusText {
    private PrometheusText() {
    }

    public static String render(FleetFacts f) {
        StringBuilder b = new StringBuilder();
        gauge(b, "zfsguard_next_boot_safe", "1 when the kernel that boots next has a working ZFS module, else 0.");
        sample(b, "zfsguard_next_boot_safe", Map.of(), f.nextBootSafe() ? 1 : 0);

        gauge(b, "zfsguard_verdict_info", "One series per installed kernel: its ZFS verdict and marks; value always 1.");
        for (KernelReadiness k : f.report().kernels()) {
            Map<String, String> l = new LinkedHashMap<>();
            l.put("kernel", k.facts().release().text());
            l.put("verdict", k.verdict().label);
            l.put("next_boot", String.valueOf(k.nextBoot()));
            l.put("running", String.valueOf(k.running()));
            sample(b, "zfsguard_verdict_info", l, 1);
        }

        gauge(b, "zfsguard_kernel_hold_info",
                "One series per kernel package version the compatibility pin keeps back; value always 1.");
        for (FleetFacts.HeldKernel h : f.held()) {
            Map<String, String> l = new LinkedHashMap<>();
            l.put("package", h.packageName());
            l.put("kernel", h.kernel());
            l.put("reason", h.reason());
            sample(b, "zfsguard_kernel_hold_info", l, 1);
        }

        f.lastBackup().ifPresent(t -> {
            gauge(b, "zfsguard_last_backup_timestamp_seconds", "When the newest boot-set backup was taken.");
            sample(b, "zfsguard_last_backup_timestamp_seconds", Map.of(), seconds(t));
        });
        gauge(b, "zfsguard_backup_damaged", "Boot-set backups that are incomplete or fail their checksums.");
        sample(b, "zfsguard_backup_damaged", Map.of(), f.damagedBackups());

        f.lastRebuild().ifPresent(r -> {
            gauge(b, "zfsguard_rebuild_last_result_info", "The outcome of the last rebuild; value always 1.");
            Map<String, String> l = new LinkedHashMap<>();
            l.put("result", r.result());
            l.put("kernel", r.kernel());
            sample(b, "zfsguard_rebuild_last_result_info", l, 1);
            gauge(b, "zfsguard_rebuild_last_timestamp_seconds", "When the last rebuild ended.");
            sample(b, "zfsguard_rebuild_last_timestamp_seconds", Map.of(), seconds(r.time()));
        });
        f.lastChange().ifPresent(t -> {
            gauge(b, "zfsguard_last_change_timestamp_seconds",
                    "When a kernel or ZFS package change was last judged after dpkg.");
            sample(b, "zfsguard_last_change_timestamp_seconds", Map.of(), seconds(t));
        });
        f.bootConfirmed().ifPresent(t -> {
            gauge(b, "zfsguard_boot_confirmed_timestamp_seconds", "When a boot was last confirmed to have loaded ZFS.");
            sample(b, "zfsguard_boot_confirmed_timestamp_seconds", Map.of(), seconds(t));
        });

        OpenZfsMeta meta = f.report().openzfs() == null ? null : f.report().openzfs().meta();
        if (meta != null) {
            gauge(b, "zfsguard_openzfs_linux_max_info",
                    "The installed OpenZFS and the newest Linux series it supports; value always 1.");
            Map<String, String> l = new LinkedHashMap<>();
            l.put("version", meta.fullVersion());
            l.put("linux_max", series(meta.linuxMaximum()));
            l.put("linux_min", series(meta.linuxMinimum()));
            sample(b, "zfsguard_openzfs_linux_max_info", l, 1);
        }
        return b.toString();
    }

    private static String series(KernelSeries s) {
        return s == null ? "" : s.toString();
    }

    private static long seconds(Instant t) {
        return t.getEpochSecond();
    }

    private static void gauge(StringBuilder b, String name, String help) {
        b.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
        b.append("# TYPE ").append(name).append(" gauge\n");
    }

    private static void sample(StringBuilder b, String name, Map<String, String> labels, long value) {
        b.append(name);
        if (!labels.isEmpty()) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<String, String> e : labels.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                b.append(e.getKey()).append("=\"").append(escapeLabel(e.getValue())).append('"');
            }
            b.append('}');
        }
        b.append(' ').append(value).append('\n');
    }

    /** Label values escape backslash, double quote and line feed, as the format demands. */
    static String escapeLabel(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** HELP text escapes backslash and line feed only. */
    static String escapeHelp(String v) {
        return v.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
