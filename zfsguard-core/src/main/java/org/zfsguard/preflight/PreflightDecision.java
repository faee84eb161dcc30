package org.zfsguard.preflight;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.zfsguard.apt.PackageChange;
import org.zfsguard.apt.PackageRole;
import org.zfsguard.kernel.KernelHeaders;
import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.config.Config.PreflightMode;
import org.zfsguard.deb.DebPackage;
import org.zfsguard.deb.IncomingKernel;
import org.zfsguard.zfs.OpenZfsMeta;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.kernel.KernelSeries;

/**
 * The preflight gate's verdict on a pending package operation (issue 5), pure:
 *
 * <ul>
 * <li>BLOCK when the kernel that boots next after the operation is outside the
 * Linux-Minimum..Linux-Maximum range of the OpenZFS installed after it (so a
 * compatible OpenZFS arriving in the same operation clears it), and when the
 * operation takes away the last kernel with a working ZFS module while no
 * remaining kernel can get one built (in range, headers present, OpenZFS source
 * present);</li>
 * <li>WARN when a new kernel will have no headers, when the running kernel's
 * modules are removed (Armbian in-place upgrades), when ZFS moves to a version
 * not yet built for the boot kernel, and when a fact needed for a BLOCK could
 * not be read (the gate never blocks on a guess);</li>
 * <li>OK, with nothing to say, otherwise.</li>
 * </ul>
 *
 * The mode comes from zfsguard.conf ({@code block|warn|off}); one run can be
 * overridden with {@code ZFSGUARD_PREFLIGHT}, which turns blocks into warnings.
 */
public record PreflightDecision(Verdict verdict, List<Finding> findings, PreflightMode mode, Optional<String> note) {

    public enum Verdict { OK, WARN, BLOCK }

    public static final String ENV = "ZFSGUARD_PREFLIGHT";

    public PreflightDecision {
        findings = List.copyOf(findings);
    }

    public static PreflightDecision decide(PreflightInput in) {
        PreflightMode mode = in.mode();
        Optional<String> note = Optional.empty();
        if (in.envOverride().isPresent()) {
            String v = in.envOverride().get().strip().toLowerCase(Locale.ROOT);
            switch (v) {
                case "warn" -> mode = PreflightMode.WARN;
                case "off" -> mode = PreflightMode.OFF;
                case "block" -> mode = PreflightMode.BLOCK;
                default -> note = Optional.of(ENV + "='" + SystemRoot.printable(in.envOverride().get())
                        + "' is not one of block, warn, off; using preflight = " + lower(in.mode()) + " from zfsguard.conf");
            }
        }
        if (mode == PreflightMode.OFF) {
            return new PreflightDecision(Verdict.OK, List.of(), mode, note);
        }
        List<Finding> findings = new Analysis(in).findings();
        if (mode == PreflightMode.WARN) {
            List<Finding> softened = new ArrayList<>();
            for (Finding f : findings) {
                softened.add(f.severity() == Finding.Severity.BLOCK
                        ? new Finding(Finding.Severity.WARN, f.reason() + " (not blocked: preflight = warn)", f.commands())
                        : f);
            }
            findings = softened;
        }
        Verdict verdict = Verdict.OK;
        for (Finding f : findings) {
            if (f.severity() == Finding.Severity.BLOCK) {
                verdict = Verdict.BLOCK;
            } else if (verdict == Verdict.OK) {
                verdict = Verdict.WARN;
            }
        }
        return new PreflightDecision(verdict, findings, mode, note);
    }

    private static String lower(PreflightMode m) {
        return m.name().toLowerCase(Locale.ROOT);
    }

    /** The facts after the operation, derived once, then the rules over them. */
    private static final class Analysis {
        private final PreflightInput in;
        private final InstalledState state;
        private final List<Finding> findings = new ArrayList<>();
        /** Incoming kernel images: release (empty when unknown) by package, in stream order. */
        private final Map<PackageChange, Optional<String>> incomingImages = new LinkedHashMap<>();
        private final Set<String> incomingHeaders = new LinkedHashSet<>();
        private final Set<String> removedReleases = new LinkedHashSet<>();
        private final List<KernelSummary> remaining = new ArrayList<>();

        Analysis(PreflightInput in) {
            this.in = in;
            this.state = in.state();
        }

        List<Finding> findings() {
            collectKernels();
            Optional<String> unknownImage = unknownIncomingImage();
            ZfsAfter zfs = zfsAfter();
            Optional<String> nextBoot = nextBootAfter();

            checkNextBootRange(nextBoot, zfs, unknownImage);
            checkLastWorkingModule(zfs);
            checkHeaders(zfs);
            checkRunningKernel();
            checkZfsVersionMove(nextBoot, zfs);
            return findings;
        }

        // ---- facts ----

        private void collectKernels() {
            for (DebPackage p : in.incoming().values()) {
                for (IncomingKernel k : p.kernels()) {
                    if (k.headers()) {
                        incomingHeaders.add(k.release());
                    }
                }
            }
            for (PackageChange c : in.changes().withRole(PackageRole.KERNEL_HEADERS)) {
                if (c.installedAfter()) {
                    String rest = c.name().substring("linux-headers-".length());
                    if (KernelRelease.isValid(rest)) {
                        incomingHeaders.add(rest);
                    }
                }
            }
            Set<String> replacedPackages = new LinkedHashSet<>();
            for (PackageChange c : in.changes().kernelImages()) {
                if (!c.installedAfter()) {
                    replacedPackages.add(c.name());
                    continue;
                }
                Optional<String> release = incomingRelease(c);
                incomingImages.put(c, release);
                if (c.isInPlaceKernelUpgrade()) {
                    replacedPackages.add(c.name());
                }
                // Armbian's headers come as linux-headers-<branch>-<family>, upgraded next to the image.
                release.ifPresent(r -> in.changes().find(KernelHeaders.packageFor(c.name(), r))
                        .filter(PackageChange::installedAfter)
                        .filter(h -> !in.incoming().containsKey(h.name()))
                        .ifPresent(h -> incomingHeaders.add(r)));
            }
            for (KernelSummary k : state.kernels()) {
                if (k.imagePackage().isPresent() && replacedPackages.contains(k.imagePackage().get())) {
                    removedReleases.add(k.release());
                } else {
                    remaining.add(k);
                }
            }
        }

        private Optional<String> incomingRelease(PackageChange c) {
            DebPackage deb = in.incoming().get(c.name());
            if (deb != null) {
                Optional<String> image = deb.singleImage().map(IncomingKernel::release);
                if (image.isPresent()) {
                    return image;
                }
                // Armbian's kernel-debs.sh writes the release (the kernel's own form) to Armbian-Kernel-Version-Family;
                // Armbian-Kernel-Version holds the bare version (6.12.58), the fallback for older packages.
                Optional<String> family = Optional.ofNullable(deb.control().all().get("Armbian-Kernel-Version-Family"));
                if (family.isPresent() && KernelRelease.isValid(family.get())) {
                    return family;
                }
                Optional<String> armbian = deb.control().armbianKernelVersion();
                if (armbian.isPresent() && KernelRelease.isValid(armbian.get())) {
                    return armbian;
                }
            }
            return PackageRole.kernelRelease(c.name());
        }

        private Optional<String> unknownIncomingImage() {
            return incomingImages.entrySet().stream().filter(e -> e.getValue().isEmpty())
                    .map(e -> e.getKey().name()).findFirst();
        }

        /** The OpenZFS range after the operation, and whether the operation changes it. */
        private record ZfsAfter(Optional<OpenZfsMeta> meta, boolean changed, boolean unknown, boolean removed) {
        }

        private ZfsAfter zfsAfter() {
            Optional<PackageChange> dkms = in.changes().find("zfs-dkms");
            for (DebPackage p : in.incoming().values()) {
                if (p.zfsSource().isPresent()) {
                    OpenZfsMeta m = p.zfsSource().get();
                    return new ZfsAfter(Optional.of(m), !state.openZfs().equals(Optional.of(m)), false, false);
                }
            }
            if (dkms.isPresent() && !dkms.get().installedAfter()) {
                return new ZfsAfter(Optional.empty(), true, false, true);
            }
            boolean unknown = dkms.isPresent() && dkms.get().kind() != PackageChange.Kind.CONFIGURE_ONLY
                    && dkms.get().kind() != PackageChange.Kind.REINSTALL;
            return new ZfsAfter(state.openZfs(), unknown, unknown, false);
        }

        private Optional<String> nextBootAfter() {
            List<String> known = incomingImages.values().stream().flatMap(Optional::stream).toList();
            boolean kept = state.nextBoot().isPresent() && !removedReleases.contains(state.nextBoot().get());
            if (state.policy() == InstalledState.NextBootPolicy.UNKNOWN) {
                return known.isEmpty() && kept ? state.nextBoot() : Optional.empty();
            }
            if (state.policy() == InstalledState.NextBootPolicy.SAME_KERNEL && kept) {
                return state.nextBoot();
            }
            if (!known.isEmpty()) {
                if (state.policy() == InstalledState.NextBootPolicy.LAST_INSTALLED) {
                    return Optional.of(known.get(known.size() - 1));
                }
                List<String> all = new ArrayList<>(known);
                remaining.forEach(k -> all.add(k.release()));
                return all.stream().max(KernelRelease.VERSION_ORDER);
            }
            if (state.nextBoot().isPresent() && !removedReleases.contains(state.nextBoot().get())) {
                return state.nextBoot();
            }
            if (state.policy() != InstalledState.NextBootPolicy.LAST_INSTALLED) {
                return remaining.stream().map(KernelSummary::release).max(KernelRelease.VERSION_ORDER);
            }
            return Optional.empty();
        }

        private boolean hasHeaders(String release) {
            return incomingHeaders.contains(release)
                    || remaining.stream().anyMatch(k -> k.release().equals(release) && k.headers());
        }

        private boolean isIncoming(String release) {
            return incomingImages.values().stream().anyMatch(r -> r.equals(Optional.of(release)));
        }

        private String imagePackageOf(String release) {
            for (Map.Entry<PackageChange, Optional<String>> e : incomingImages.entrySet()) {
                if (e.getValue().equals(Optional.of(release))) {
                    return e.getKey().name();
                }
            }
            return state.kernel(release).flatMap(KernelSummary::imagePackage).orElse("linux-image-" + release);
        }

        // ---- rules ----

        private void checkNextBootRange(Optional<String> nextBoot, ZfsAfter zfs, Optional<String> unknownImage) {
            if (unknownImage.isPresent()) {
                findings.add(new Finding(Finding.Severity.WARN, "could not tell which kernel " + unknownImage.get()
                        + " installs (its .deb was not readable), so its ZFS support was not checked",
                        List.of("zfsguard status")));
            }
            if (nextBoot.isEmpty() || zfs.meta().isEmpty()) {
                return;
            }
            String k = nextBoot.get();
            Optional<KernelSeries> series = KernelSeries.of(k);
            OpenZfsMeta meta = zfs.meta().get();
            if (series.isEmpty() || meta.supports(series.get())) {
                return;
            }
            boolean changesBoot = !nextBoot.equals(state.nextBoot());
            if (!changesBoot && !zfs.changed()) {
                // Not this operation's doing, so not the gate's to stop (the fix may be in it); but the
                // state after it is what the verdict judges, and that boot will not load ZFS.
                findings.add(new Finding(Finding.Severity.WARN, "the kernel that boots next is already " + k + " (Linux "
                        + series.get() + "), outside the range of OpenZFS " + meta.version() + " (Linux " + meta.linuxMinimum()
                        + " to " + meta.linuxMaximum() + "): ZFS will not load on the next boot, with or without this operation",
                        List.of("zfsguard status")));
                return;
            }
            String reason = "the kernel that boots next would be " + k + " (Linux " + series.get() + "), outside the range of OpenZFS "
                    + meta.version() + " (Linux " + meta.linuxMinimum() + " to " + meta.linuxMaximum() + "): ZFS would not load";
            if (zfs.unknown()) {
                findings.add(new Finding(Finding.Severity.WARN, reason + ", unless the zfs-dkms arriving in this"
                        + " operation supports it (its .deb was not readable)", List.of()));
                return;
            }
            List<String> commands = new ArrayList<>();
            if (changesBoot && isIncoming(k)) {
                commands.add("sudo apt-mark hold " + String.join(" ", holdSet(imagePackageOf(k))));
                commands.add("zfsguard pin");
            }
            if (series.get().compareTo(meta.linuxMaximum()) > 0) {
                reason += "; hold the kernel back, or first install an OpenZFS whose Linux-Maximum is "
                        + series.get() + " or later";
            } else {
                reason += "; hold the kernel back";
            }
            commands.add(overrideCommand());
            findings.add(new Finding(Finding.Severity.BLOCK, reason, commands));
        }

            /**
         * What pulls the kernel in: the metapackages of this operation (linux-image-amd64 and its
         * headers) when there are any, since holding only the versioned image leaves them to pull the
         * next one; an Armbian kernel is three packages of one branch and family.
         */
        private List<String> holdSet(String imagePackage) {
            List<String> hold = new ArrayList<>();
            if (PackageRole.of(imagePackage) == PackageRole.KERNEL_IMAGE && !PackageRole.isArmbian(imagePackage, "linux-image-")) {
                for (PackageChange c : in.changes().installedOrUpgraded()) {
                    if (isMetapackage(c.name())) {
                        hold.add(c.name());
                    }
                }
                if (!hold.isEmpty()) {
                    return hold;
                }
            }
            hold.add(imagePackage);
            if (PackageRole.isArmbian(imagePackage, "linux-image-")) {
                String suffix = imagePackage.substring("linux-image-".length());
                for (String sibling : List.of("linux-dtb-" + suffix, "linux-headers-" + suffix)) {
                    if (in.changes().find(sibling).isPresent()) {
                        hold.add(sibling);
                    }
                }
            }
            return hold;
        }

        /** {@code linux-image-amd64}, {@code linux-headers-amd64}, Ubuntu's {@code linux-generic*}: no release in the name. */
        private static boolean isMetapackage(String name) {
            return PackageRole.of(name) == PackageRole.KERNEL_METAPACKAGE || name.startsWith("linux-generic")
                    || name.startsWith("linux-headers-") && !PackageRole.isArmbian(name, "linux-headers-")
                            && !Character.isDigit(name.charAt("linux-headers-".length()));
        }

        private void checkLastWorkingModule(ZfsAfter zfs) {
            List<String> workingBefore = state.kernels().stream().filter(KernelSummary::zfsModuleOk)
                    .map(KernelSummary::release).toList();
            boolean workingAfter = remaining.stream().anyMatch(KernelSummary::zfsModuleOk) && !zfs.removed();
            if (workingBefore.isEmpty() || workingAfter) {
                return;
            }
            List<String> candidates = new ArrayList<>();
            for (String k : kernelsAfter()) {
                Optional<KernelSeries> s = KernelSeries.of(k);
                boolean inRange = zfs.meta().isPresent() && s.isPresent() && zfs.meta().get().supports(s.get());
                if (inRange && hasHeaders(k)) {
                    candidates.add(k);
                }
            }
            String lost = String.join(", ", workingBefore);
            if (!candidates.isEmpty()) {
                findings.add(new Finding(Finding.Severity.WARN, "this operation removes the last kernel with a working"
                        + " ZFS module (" + lost + "); ZFS must be built for " + String.join(", ", candidates)
                        + " before the next reboot",
                        List.of("sudo zfsguard rebuild", "zfsguard check")));
                return;
            }
            String why = zfs.removed() ? "OpenZFS (zfs-dkms) is removed as well"
                    : zfs.meta().isEmpty() ? "no OpenZFS source is installed"
                    : "no remaining kernel is both within Linux " + zfs.meta().get().linuxMinimum() + " to "
                            + zfs.meta().get().linuxMaximum() + " and has headers";
            if (zfs.unknown()) {
                findings.add(new Finding(Finding.Severity.WARN, "this operation removes the last kernel with a working ZFS"
                        + " module (" + lost + ") and " + why + ", unless the arriving zfs-dkms supports one", List.of()));
                return;
            }
            if (incomingImages.values().stream().anyMatch(Optional::isEmpty)) {
                // Never block on a guess: an arriving kernel could not be read.
                findings.add(new Finding(Finding.Severity.WARN, "this operation removes the last kernel with a working ZFS"
                        + " module (" + lost + "); an arriving kernel could not be read, so whether ZFS can be built"
                        + " for it is not known", List.of("zfsguard check")));
                return;
            }
            List<String> replacedInPlace = state.kernels().stream()
                    .filter(k -> k.zfsModuleOk() && k.imagePackage().isPresent()
                            && in.changes().inPlaceKernelUpgrades().stream()
                                    .anyMatch(c -> c.name().equals(k.imagePackage().get())))
                    .map(KernelSummary::release).toList();
            if (!zfs.removed() && replacedInPlace.containsAll(workingBefore)) {
                // Armbian's routine kernel update replaces the kernel in place; its boot set is
                // backed up before dpkg runs, so the way back exists and the update goes on.
                List<String> commands = new ArrayList<>();
                for (String k : kernelsAfter()) {
                    if (!hasHeaders(k)) {
                        commands.add("sudo apt install " + KernelHeaders.packageFor(imagePackageOf(k), k));
                    }
                }
                commands.add("sudo zfsguard rebuild");
                workingBefore.forEach(k -> commands.add("sudo zfsguard restore " + k + " --activate"));
                findings.add(new Finding(Finding.Severity.WARN, "this upgrade replaces the last kernel with a working ZFS"
                        + " module (" + lost + ") in place, and " + why + "; its boot set is backed up first", commands));
                return;
            }
            List<String> commands = new ArrayList<>();
            for (String k : kernelsAfter()) {
                if (!hasHeaders(k)) {
                    commands.add("sudo apt install " + KernelHeaders.packageFor(imagePackageOf(k), k));
                }
            }
            commands.add(overrideCommand());
            findings.add(new Finding(Finding.Severity.BLOCK, "this operation removes the last kernel with a working ZFS"
                    + " module (" + lost + ") and none can be built to replace it: " + why, commands));
        }

        private List<String> kernelsAfter() {
            List<String> after = new ArrayList<>();
            incomingImages.values().forEach(r -> r.ifPresent(after::add));
            remaining.forEach(k -> {
                if (!after.contains(k.release())) {
                    after.add(k.release());
                }
            });
            return after;
        }

        private void checkHeaders(ZfsAfter zfs) {
            for (Map.Entry<PackageChange, Optional<String>> e : incomingImages.entrySet()) {
                if (e.getValue().isEmpty() || hasHeaders(e.getValue().get())) {
                    continue;
                }
                String k = e.getValue().get();
                if (zfs.meta().isPresent() && KernelSeries.of(k).map(s -> !zfs.meta().get().supports(s)).orElse(false)) {
                    continue; // outside the range: headers would not help, the range rules speak
                }
                String headers = KernelHeaders.packageFor(e.getKey().name(), k);
                findings.add(new Finding(Finding.Severity.WARN, "the new kernel " + k + " will have no headers, so DKMS"
                        + " cannot build ZFS for it", List.of("sudo apt install " + headers)));
            }
        }

        private void checkRunningKernel() {
            Optional<KernelSummary> running = state.running();
            if (running.isEmpty() || !removedReleases.contains(running.get().release())) {
                return;
            }
            String pkg = running.get().imagePackage().orElse("its package");
            findings.add(new Finding(Finding.Severity.WARN, "the modules of the running kernel " + running.get().release()
                    + " are removed by this operation (" + pkg + " is replaced in place or removed): modules not loaded"
                    + " yet, ZFS included, cannot be loaded until the next reboot",
                    List.of("zfsguard check")));
        }

        private void checkZfsVersionMove(Optional<String> nextBoot, ZfsAfter zfs) {
            if (zfs.removed() || !zfs.changed() || zfs.meta().isEmpty() || nextBoot.isEmpty()) {
                return;
            }
            String k = nextBoot.get();
            Optional<KernelSeries> s = KernelSeries.of(k);
            if (s.isEmpty() || !zfs.meta().get().supports(s.get())) {
                return; // the range rule speaks
            }
            String version = zfs.meta().get().version();
            if (state.openZfs().map(m -> m.version().equals(version)).orElse(false)) {
                return;
            }
            String what = state.openZfs().map(m -> "ZFS moves from " + m.version() + " to " + version)
                    .orElse("ZFS " + version + " is installed");
            List<String> commands = new ArrayList<>();
            if (!hasHeaders(k)) {
                commands.add("sudo apt install " + KernelHeaders.packageFor(imagePackageOf(k), k));
            }
            commands.add("sudo zfsguard rebuild");
            commands.add("zfsguard check");
            findings.add(new Finding(Finding.Severity.WARN, what + ", and its module is not built yet for the next"
                    + " boot kernel " + k, commands));
        }

        /**
         * One run's override. Spelled with the variable after sudo: sudo resets the
         * environment, so "ZFSGUARD_PREFLIGHT=warn sudo apt ..." would never reach the hook.
         */
        private String overrideCommand() {
            return "sudo " + ENV + "=warn apt " + in.aptArguments().orElse("<same arguments>");
        }
    }
}
