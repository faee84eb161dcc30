package org.zfsguard.hook;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.zfsguard.apt.ChangeSet;
import org.zfsguard.apt.HookStream;
import org.zfsguard.apt.PackageChange;
import org.zfsguard.apt.PackageRole;
import org.zfsguard.apt.ParseException;
import org.zfsguard.apt.WatchList;
import org.zfsguard.apt.WatchListException;
import org.zfsguard.config.Config;
import org.zfsguard.deb.DebFormatException;
import org.zfsguard.deb.DebLimits;
import org.zfsguard.deb.DebPackage;
import org.zfsguard.message.NextStep;
import org.zfsguard.preflight.Finding;
import org.zfsguard.preflight.PreflightDecision;
import org.zfsguard.preflight.PreflightInput;
import org.zfsguard.readiness.KernelReadiness;
import org.zfsguard.readiness.ReadinessEngine;
import org.zfsguard.readiness.ReadinessReport;

/**
 * apt's {@code DPkg::Pre-Install-Pkgs} hook, after the shell filter found a
 * kernel or ZFS package in the list: the preflight gate, then the backup of
 * every boot set the operation is about to touch, then the pending-change
 * record for the post-invoke hook.
 */
public final class PreInstallHook {
    /** The preflight gate refused the operation; the shell filter passes exactly this status to apt. */
    public static final int REFUSED = 10;

    private PreInstallHook() {
    }

    public static int run(HookContext ctx, InputStream stdin) throws IOException {
        HookStream stream;
        try {
            stream = HookStream.parse(stdin);
        } catch (ParseException e) {
            HookStream.drain(stdin);
            ctx.say("could not read apt's package list, no backup made: " + e.getMessage());
            ctx.say("  apt goes on; afterwards check with: zfsguard status");
            ctx.journal("hook-input-rejected", Map.of("hook", "apt-pre-install", "reason", e.getMessage()));
            return 0;
        }
        ChangeSet changes = ChangeSet.of(stream, watchList(ctx));
        if (changes.nothingWatched()) {
            return 0;
        }
        for (PackageChange c : changes.watched()) {
            ctx.say(describe(c));
        }
        ReadinessReport before = new ReadinessEngine(ctx.root()).evaluate();

        PreflightDecision decision = preflight(ctx, changes, before);
        if (decision.verdict() == PreflightDecision.Verdict.BLOCK) {
            ctx.journal("preflight-refused", Map.of("packages", names(changes), "findings", texts(decision)));
            return REFUSED;
        }

        PendingRecord record = ctx.pending();
        PendingChange pending = record.readOrNew("apt");
        for (PackageChange c : changes.watched()) {
            String line = c.name() + " " + c.oldVersion().orElse("-") + " -> " + c.newVersion().orElse("-");
            if (!pending.packages.contains(line)) {
                pending.packages.add(line);
            }
        }
        pending.preflight = decision.verdict().name() + (decision.mode() != ctx.config().preflight()
                ? " (preflight = " + decision.mode().name().toLowerCase() + " for this run)" : "");
        pending.predictedSafe = decision.verdict() == PreflightDecision.Verdict.OK;

        Set<String> affected = affectedKernels(changes, before);
        for (String k : affected) {
            if (!pending.kernelsRemoved.contains(k)) {
                pending.kernelsRemoved.add(k);
            }
        }
        BootSetGuard.backUp(ctx, pending, affected, protectedKernels(before));
        record.write(pending);
        GuardStep.remember(ctx, before);
        ctx.journal("change-detected", Map.of("hook", "apt-pre-install", "packages", names(changes),
                "kernels", List.copyOf(affected), "backups", pending.backups, "preflight", pending.preflight));
        return 0;
    }

    static WatchList watchList(HookContext ctx) {
        try {
            return WatchList.load(ctx.root());
        } catch (WatchListException e) {
            // The list only saves work; without it every package counts as watched.
            ctx.say("WARNING: " + e.getMessage() + "; treating every package as a kernel or ZFS package");
            try {
                return WatchList.parse("*\n", "built-in fallback");
            } catch (WatchListException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    private static String describe(PackageChange c) {
        String what = switch (c.role()) {
            case KERNEL_IMAGE, KERNEL_METAPACKAGE, KERNEL_MODULES -> "kernel package";
            case KERNEL_HEADERS -> "kernel headers package";
            case DEVICE_TREE -> "device tree package";
            case OPENZFS -> "ZFS package";
            default -> "package";
        };
        return what + " change detected (" + c.name() + " " + c.oldVersion().orElse("(none)") + " -> "
                + c.newVersion().orElse("(removed)") + ")";
    }

    /**
     * The kernels whose files this operation may delete or overwrite: those of
     * kernel packages removed or replaced in place, and, when OpenZFS itself
     * changes, every kernel that has a ZFS module now (DKMS replaces them).
     */
    static Set<String> affectedKernels(ChangeSet changes, ReadinessReport before) {
        Set<String> touched = new LinkedHashSet<>();
        for (PackageChange c : changes.watched()) {
            boolean replaces = c.kind() == PackageChange.Kind.REMOVE || c.oldVersion().isPresent();
            if (!replaces) {
                continue;
            }
            touched.add(c.name());
        }
        boolean openZfsChanges = !changes.openZfs().isEmpty();
        Set<String> kernels = new LinkedHashSet<>();
        for (KernelReadiness k : before.kernels()) {
            String owner = k.facts().installed() == null ? null : k.facts().installed().owner();
            boolean ownedByTouched = owner != null && touched.contains(owner);
            boolean hasZfs = k.facts().zfs() != null;
            if (ownedByTouched || (openZfsChanges && hasZfs)) {
                kernels.add(k.facts().release().text());
            }
        }
        // The running kernel first when it is affected: its modules are the ones in use.
        Set<String> ordered = new LinkedHashSet<>();
        for (KernelReadiness k : before.kernels()) {
            if (k.running() && kernels.contains(k.facts().release().text())) {
                ordered.add(k.facts().release().text());
            }
        }
        ordered.addAll(kernels);
        return ordered;
    }

    static Set<String> protectedKernels(ReadinessReport report) {
        Set<String> p = new LinkedHashSet<>();
        for (KernelReadiness k : report.kernels()) {
            if (k.running() || k.nextBoot()) {
                p.add(k.facts().release().text());
            }
        }
        return p;
    }

    private static PreflightDecision preflight(HookContext ctx, ChangeSet changes, ReadinessReport before) {
        Config config = ctx.config();
        Map<String, DebPackage> incoming = new LinkedHashMap<>();
        if (config.preflight() != Config.PreflightMode.OFF
                || ctx.env(PreflightDecision.ENV).isPresent()) {
            for (PackageChange c : changes.watched()) {
                if (c.debPath().isEmpty() || !c.installedAfter()) {
                    continue;
                }
                readIncoming(ctx, c).ifPresent(d -> incoming.put(c.name(), d));
            }
        }
        return decide(ctx, changes, before, incoming);
    }

    /** The preflight decision, said to the operator (and the override journaled); shared with the by-hand command. */
    static PreflightDecision decide(HookContext ctx, ChangeSet changes, ReadinessReport before,
            Map<String, DebPackage> incoming) {
        Config config = ctx.config();
        PreflightInput input = new PreflightInput(InstalledStateSummary.of(ctx.root(), before), changes, incoming,
                config.preflight(), ctx.env(PreflightDecision.ENV), Optional.empty());
        PreflightDecision d = PreflightDecision.decide(input);
        d.note().ifPresent(ctx::say);
        boolean overridden = input.envOverride().isPresent() && d.verdict() != PreflightDecision.Verdict.BLOCK
                && PreflightDecision.decide(new PreflightInput(input.state(), changes, incoming, config.preflight(),
                        Optional.empty(), Optional.empty())).verdict() == PreflightDecision.Verdict.BLOCK;
        if (d.verdict() == PreflightDecision.Verdict.BLOCK) {
            ctx.say("REFUSED by the preflight gate: this operation would leave ZFS unloadable on the next boot.");
        }
        for (Finding f : d.findings()) {
            ctx.say((f.severity() == Finding.Severity.BLOCK && d.verdict() == PreflightDecision.Verdict.BLOCK
                    ? "refused: " : "warning: ") + f.reason());
            for (String cmd : f.commands()) {
                ctx.say("  " + NextStep.LABEL + cmd);
            }
        }
        if (d.verdict() == PreflightDecision.Verdict.BLOCK) {
            ctx.say("nothing was changed.");
            ctx.say("  " + NextStep.LABEL + "sudo " + PreflightDecision.ENV
                    + "=warn apt <the same arguments>   (to go ahead anyway, for this one run)");
        }
        if (overridden) {
            ctx.say("preflight overridden for this run (" + PreflightDecision.ENV + "="
                    + ctx.env(PreflightDecision.ENV).orElse("") + "): going ahead although ZFS may not load on the next boot");
            ctx.journal("preflight-override", Map.of("override", ctx.env(PreflightDecision.ENV).orElse(""),
                    "packages", names(changes), "findings", texts(d)));
        }
        return d;
    }

    private static Optional<DebPackage> readIncoming(HookContext ctx, PackageChange c) {
        String target = c.debPath().get();
        DebPackage.Scope scope = c.role() == PackageRole.KERNEL_IMAGE ? DebPackage.Scope.CONTROL : DebPackage.Scope.FIRST_ANSWER;
        try {
            // Symlinks on the way resolved inside the root: an archive path must not reach the host's files.
            Path file = ctx.root().resolveAll(target);
            return Optional.of(DebPackage.read(file, target, DebLimits.DEFAULT, scope));
        } catch (java.io.IOException e) {
            ctx.say("warning: could not read " + target + ": " + e.getMessage());
            return Optional.empty();
        } catch (DebFormatException | IllegalArgumentException e) {
            ctx.say("warning: could not read " + target + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static List<String> names(ChangeSet changes) {
        return changes.watched().stream()
                .map(c -> c.name() + " " + c.oldVersion().orElse("-") + " -> " + c.newVersion().orElse("-")).toList();
    }

    private static List<String> texts(PreflightDecision d) {
        return d.findings().stream().map(f -> f.severity() + ": " + f.reason()).toList();
    }
}
