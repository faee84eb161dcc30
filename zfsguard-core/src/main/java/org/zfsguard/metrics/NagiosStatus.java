package org.zfsguard.metrics;

import org.zfsguard.readiness.KernelReadiness;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.readiness.Verdict;

/**
 * The verdict as a Nagios/Icinga plugin answer: one line, {@code SERVICE STATE -
 * text | perfdata}, and the plugin exit code. Safe with a kernel held back
 * (a security update waits) or a damaged backup is a WARNING: nothing breaks at
 * the next boot, but someone should look.
 */
public record NagiosStatus(int code, String line) {
    public static final int OK = 0;
    public static final int WARNING = 1;
    public static final int CRITICAL = 2;
    public static final int UNKNOWN = 3;
    private static final String[] NAMES = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

    public static NagiosStatus of(FleetFacts f, String text) {
        ReadinessReport r = f.report();
        int code = switch (r.overall()) {
            case SAFE -> f.held().isEmpty() && f.damagedBackups() == 0 ? OK : WARNING;
            case NOT_SAFE -> CRITICAL;
            case UNKNOWN, NO_ZFS -> UNKNOWN;
        };
        StringBuilder t = new StringBuilder(text);
        if (!f.held().isEmpty()) {
            t.append("; ").append(f.held().size()).append(" kernel package version(s) held back by the compatibility pin");
        }
        if (f.damagedBackups() > 0) {
            t.append("; ").append(f.damagedBackups()).append(" damaged backup(s)");
        }
        long notOk = r.kernels().stream().map(KernelReadiness::verdict).filter(v -> v != Verdict.OK).count();
        String perf = "next_boot_safe=" + (f.nextBootSafe() ? 1 : 0) + ";;1:;0;1"
                + " kernels=" + r.kernels().size() + ";;;0"
                + " kernels_not_ok=" + notOk + ";;;0"
                + " held_kernels=" + f.held().size() + ";0;;0"
                + " backups_damaged=" + f.damagedBackups() + ";0;;0";
        return new NagiosStatus(code, head(code) + oneLine(t.toString()) + " | " + perf);
    }

    public static NagiosStatus unknown(String why) {
        return new NagiosStatus(UNKNOWN, head(UNKNOWN) + oneLine("cannot tell: " + why));
    }

    private static String head(int code) {
        return "ZFSGUARD " + NAMES[code] + " - ";
    }

    /** A '|' would start the perfdata and a line feed a second line of output. */
    private static String oneLine(String s) {
        return s.replace('|', '/').replace('\n', ' ').replace('\r', ' ');
    }
}
