package org.zfsguard.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import org.zfsguard.kernel.RejectedEntry;
import org.zfsguard.readiness.InitramfsFacts;
import org.zfsguard.readiness.KernelFacts;
import org.zfsguard.readiness.KernelReadiness;
import org.zfsguard.readiness.ModuleFacts;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.readiness.VerdictSentence;
import org.zfsguard.zfs.OpenZfsMeta;

/** The human form of a readiness report: a table, the boot facts, and what to do about each problem. */
final class StatusTable {
    private static final String[] HEADER = {"KERNEL", "BOOT", "ZFS MODULE", "VERMAGIC", "ZFS VERSION", "INITRAMFS", "VERDICT"};

    private StatusTable() {
    }

    static void print(ReadinessReport r, PrintWriter out) {
        if (!r.zfsInstalled()) {
            out.println(VerdictSentence.NO_ZFS + ".");
            out.println("Kernels found: " + (r.kernels().isEmpty() ? "none"
                    : String.join(", ", r.kernels().stream().map(k -> k.facts().release().text()).toList())));
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (KernelReadiness k : r.kernels()) {
            rows.add(row(k));
        }
        int[] width = new int[HEADER.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                b.append(row[i]);
                if (i < row.length - 1) {
                    b.append(" ".repeat(width[i] - row[i].length() + 2));
                }
            }
            out.println(clean(b.toString().stripTrailing()));
        }
        out.println();
        out.println(clean("next boot: " + (r.nextBoot().release() == null ? "unknown" : r.nextBoot().release().text())
                + " (" + r.nextBoot().rule().label + ": " + r.nextBoot().detail() + ")"));
        out.println(clean("running:   " + (r.running().release() == null ? r.running().reason() : r.running().release().text())));
        OpenZfsMeta meta = r.openzfs().meta();
        out.println(clean("OpenZFS:   " + (meta != null ? meta.fullVersion() + ", supports Linux " + meta.linuxMinimum() + " to "
                + meta.linuxMaximum() + " (" + r.openzfs().metaPath() + ")"
                : r.openzfs().problem() != null ? r.openzfs().problem() : "no source tree in /usr/src")));
        out.println(clean("initramfs: " + (r.initramfsRequired() ? "checked: " : "not checked: ") + r.initramfsReason()));
        out.println();
        out.println(clean(verdictLine(r)));
        List<String> problems = new ArrayList<>();
        for (KernelReadiness k : r.kernels()) {
            if (k.verdict() != org.zfsguard.readiness.Verdict.OK) {
                problems.add("  " + k.facts().release() + ": " + k.verdict().label + ": " + k.judgement().reason());
                if (k.judgement().next() != null) {
                    problems.add("    " + GlobalOptions.line(k.judgement().next()));
                }
            }
        }
        for (RejectedEntry e : r.rejected()) {
            problems.add("  " + e.path() + ": " + (e.leftover() ? "not a kernel: " : "ignored: ") + e.reason());
        }
        if (!problems.isEmpty()) {
            out.println();
            out.println("Problems:");
            problems.forEach(p -> out.println(clean(p)));
        }
    }

    static String verdictLine(ReadinessReport r) {
        return VerdictSentence.of(r);
    }

    private static String[] row(KernelReadiness k) {
        KernelFacts f = k.facts();
        String marks = k.running() && k.nextBoot() ? "running,next" : k.running() ? "running" : k.nextBoot() ? "next" : "";
        ModuleFacts zfs = f.zfs();
        String module;
        String vermagic;
        String version;
        if (f.installed() == null) {
            module = "not installed";
            vermagic = "-";
            version = "-";
        } else if (zfs == null) {
            module = "missing";
            vermagic = "-";
            version = "-";
        } else {
            String prefix = "/lib/modules/" + f.release() + "/";
            module = zfs.path().startsWith(prefix) ? zfs.path().substring(prefix.length()) : zfs.path();
            if (zfs.problem() != null) {
                vermagic = "unreadable";
                version = "-";
            } else {
                vermagic = f.release().text().equals(zfs.vermagicRelease()) ? "match" : "for " + zfs.vermagicRelease();
                version = zfs.version() == null ? "-" : zfs.version();
            }
        }
        InitramfsFacts i = f.initramfs();
        String initramfs = i == null ? "-" : i.state().label;
        return new String[] {f.release().text(), marks, module, vermagic, version, initramfs, k.verdict().label};
    }

    /** Everything printed comes from disk at some point: keep control characters off the terminal. */
    static String clean(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                b.append(String.format("\\x%02x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
