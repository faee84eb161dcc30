package org.zfsguard.hook;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.zfsguard.apt.ChangeSet;
import org.zfsguard.apt.PackageAction;
import org.zfsguard.apt.PackageRole;
import org.zfsguard.deb.DebFormatException;
import org.zfsguard.deb.DebLimits;
import org.zfsguard.deb.DebPackage;
import org.zfsguard.deb.IncomingKernel;
import org.zfsguard.dpkg.InstalledVersions;
import org.zfsguard.message.NextStep;
import org.zfsguard.preflight.PreflightDecision;
import org.zfsguard.readiness.ReadinessEngine;

/**
 * {@code zfsguard preflight DEB...}: what installing these packages would do
 * to ZFS, decided exactly as the apt hook decides, without changing anything.
 */
public final class ManualPreflight {
    /** Exit status when the gate would refuse. */
    public static final int WOULD_REFUSE = 1;
    /** Exit status when a package file cannot be read. */
    public static final int UNREADABLE = 2;

    private ManualPreflight() {
    }

    /** {@code debs} are host paths (already resolved by the caller). */
    public static int run(HookContext ctx, List<Path> debs) {
        InstalledVersions installed = InstalledVersions.read(ctx.root());
        List<PackageAction> actions = new ArrayList<>();
        Map<String, DebPackage> incoming = new LinkedHashMap<>();
        int line = 0;
        for (Path deb : debs) {
            DebPackage d;
            try {
                // As in the hook: a kernel image's control names its release, and
                // reading its data means decompressing the whole kernel image.
                d = DebPackage.read(deb, deb.toString(), DebLimits.DEFAULT, DebPackage.Scope.CONTROL);
                if (PackageRole.of(d.control().packageName()) != PackageRole.KERNEL_IMAGE || d.kernels().isEmpty()
                        && d.control().armbianKernelVersion().isEmpty()) {
                    d = DebPackage.read(deb, deb.toString(), DebLimits.DEFAULT, DebPackage.Scope.FIRST_ANSWER);
                }
            } catch (DebFormatException e) {
                ctx.say("cannot read " + deb + ": " + e.getMessage());
                ctx.say("  " + NextStep.LABEL + "dpkg-deb --info " + NextStep.quoted(deb.toString())
                        + "   (to check it; fetch it again with apt-get download PACKAGE)");
                return UNREADABLE;
            }
            String name = d.control().packageName();
            incoming.put(name, d);
            describe(ctx, deb, d);
            Optional<String> old = installed.version(name);
            actions.add(new PackageAction(name, old, Optional.empty(), PackageAction.Direction.UP,
                    Optional.of(d.control().version()), Optional.empty(), PackageAction.Action.DEB_PATH,
                    Optional.of(deb.toString()), ++line));
        }
        ChangeSet changes = ChangeSet.of(actions, PreInstallHook.watchList(ctx));
        if (changes.nothingWatched()) {
            ctx.say("preflight: OK: no kernel or ZFS package among these");
            return 0;
        }
        PreflightDecision d = PreInstallHook.decide(ctx, changes, new ReadinessEngine(ctx.root()).evaluate(), incoming);
        ctx.say("preflight: " + d.verdict() + switch (d.verdict()) {
            case OK -> ": ZFS will load on the next boot as far as these packages tell";
            case WARN -> ": the operation would go ahead, with the warnings above";
            case BLOCK -> ": apt would stop before unpacking anything";
        });
        return d.verdict() == PreflightDecision.Verdict.BLOCK ? WOULD_REFUSE : 0;
    }

    private static void describe(HookContext ctx, Path deb, DebPackage d) {
        StringBuilder b = new StringBuilder(d.control().packageName() + " " + d.control().version());
        for (IncomingKernel k : d.kernels()) {
            b.append(", kernel ").append(k.release());
        }
        if (d.kernels().isEmpty()) {
            d.control().armbianKernelVersion().ifPresent(k -> b.append(", kernel ").append(k));
        }
        d.zfsSource().ifPresent(m -> b.append(", OpenZFS ").append(m.version()).append(" (Linux ")
                .append(m.linuxMinimum()).append(" to ").append(m.linuxMaximum()).append(")"));
        ctx.say(b + "  [" + deb.getFileName() + ", " + humanSize(deb) + "]");
    }

    private static String humanSize(Path p) {
        try {
            return String.format("%.1f MiB", Files.size(p) / (1024.0 * 1024.0));
        } catch (java.io.IOException e) {
            return "size unknown";
        }
    }
}
