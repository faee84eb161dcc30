package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import org.zfsguard.readiness.KernelReadiness;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.readiness.Verdict;

/**
 * The kernels a rebuild is about, sorted by what they need: a build, a refusal decided
 * by the readiness verdict alone, or only a fresh initramfs (the module is right, the
 * initramfs lacks it).
 */
public record RebuildTargets(List<KernelFacts> build, List<RebuildPlan.Step> refused, List<KernelRelease> initramfsOnly) {
    static final String UNSUPPORTED_FIX =
            "install an OpenZFS release that supports it (zfs-dkms from backports), or keep booting a supported kernel";

    public RebuildTargets {
        build = List.copyOf(build);
        refused = List.copyOf(refused);
        initramfsOnly = List.copyOf(initramfsOnly);
    }

    /**
     * Without {@code named}: every installed kernel whose verdict is not OK, the next-boot
     * kernel first. With it: those kernels, whatever their verdict; a named kernel the
     * report does not know is planned as not installed, so the plan says so.
     */
    public static RebuildTargets of(ReadinessReport report, List<KernelRelease> named, Predicate<KernelRelease> headersPresent) {
        List<KernelReadiness> rows = new ArrayList<>();
        List<KernelFacts> build = new ArrayList<>();
        List<RebuildPlan.Step> refused = new ArrayList<>();
        List<KernelRelease> initramfsOnly = new ArrayList<>();
        if (named.isEmpty()) {
            for (KernelReadiness r : report.kernels()) {
                if (r.facts().installed() != null && r.verdict() != Verdict.OK) {
                    rows.add(r);
                }
            }
        } else {
            for (KernelRelease k : named) {
                Optional<KernelReadiness> row = report.kernels().stream()
                        .filter(r -> r.facts().release().text().equals(k.text())).findFirst();
                if (row.isEmpty() || row.get().facts().installed() == null) {
                    build.add(new KernelFacts(k, false, headersPresent.test(k), false, ModuleState.MISSING));
                } else if (!rows.contains(row.get())) {
                    rows.add(row.get());
                }
            }
        }
        rows.sort(Comparator.comparing(r -> !r.nextBoot()));
        for (KernelReadiness r : rows) {
            KernelRelease k = KernelRelease.parse(r.facts().release().text());
            boolean installed = r.facts().installed() != null && r.facts().installed().modulesDir() != null
                    && r.facts().installed().image() != null;
            switch (r.verdict()) {
                case OK -> build.add(new KernelFacts(k, installed, headersPresent.test(k), r.nextBoot(), ModuleState.CURRENT));
                case MISSING -> build.add(new KernelFacts(k, installed, headersPresent.test(k), r.nextBoot(), ModuleState.MISSING));
                case STALE -> build.add(new KernelFacts(k, installed, headersPresent.test(k), r.nextBoot(), ModuleState.STALE));
                case NOT_IN_INITRAMFS -> initramfsOnly.add(k);
                case UNSUPPORTED -> refused.add(new RebuildPlan.Refused(k, r.judgement().reason(), UNSUPPORTED_FIX));
                case UNKNOWN -> refused.add(new RebuildPlan.Refused(k, "cannot tell its state: " + r.judgement().reason(),
                        r.judgement().next() != null ? r.judgement().next().toString() : "zfsguard status --verbose"));
            }
        }
        return new RebuildTargets(build, refused, initramfsOnly);
    }
}
