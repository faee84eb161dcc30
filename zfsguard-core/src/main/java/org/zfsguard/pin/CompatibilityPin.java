package org.zfsguard.pin;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.zfsguard.apt.PackageNames;
import org.zfsguard.deb.ControlFields;
import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.zfs.OpenZfsMeta;

/**
 * Decides which kernel package versions apt must never choose, so that an
 * upgrade keeps an incompatible kernel back and installs everything else.
 *
 * <p>A newer {@code zfs-dkms} in the lists may support the kernel, but the index
 * does not carry OpenZFS's Linux range. When its META is known (read from the
 * {@code .deb} apt already downloaded) it decides; when it is not, the pin is
 * lifted: apt may then bring the kernel and the new OpenZFS in one run, and the
 * preflight gate, which reads the incoming {@code .deb}, still refuses a kernel
 * the arriving OpenZFS cannot build. Keeping the pin instead would hold the
 * kernel back even when the new OpenZFS supports it, with nothing to lift it
 * until the next download.
 */
public final class CompatibilityPin {
    public static final String ZFS_DKMS = "zfs-dkms";

    private CompatibilityPin() {
    }

    /**
     * @param installed       the installed OpenZFS's META
     * @param installedZfs    the installed zfs-dkms package version, if any
     * @param candidateMeta   META of a newer zfs-dkms in the lists, when known
     * @param installedKernelPackages package versions installed now ("name=version"), never pinned:
     *                        a negative priority on an installed version would make apt want to remove it
     */
    public static PinPlan plan(KernelPackageIndex index, OpenZfsMeta installed, Optional<String> installedZfs,
            Optional<OpenZfsMeta> candidateMeta, Set<String> installedKernelPackages) {
        Optional<ControlFields> newerZfs = newerZfs(index, installedZfs);
        if (newerZfs.isPresent() && candidateMeta.isEmpty()) {
            return new PinPlan(installed, List.of(), Optional.of("zfs-dkms " + newerZfs.get().version()
                    + " is in apt's lists and its Linux range is not known until apt downloads it;"
                    + " the preflight gate checks it when it arrives"));
        }
        List<Hold> holds = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (ControlFields p : index.stanzas()) {
            if (!seen.add(p.packageName() + "=" + p.version())) {
                continue; // the same version from two lists (a mirror and its -updates) is one stanza for apt
            }
            if (p.packageName().equals(ZFS_DKMS) || !PackageNames.isValidName(p.packageName())
                    || !PackageNames.isValidVersion(p.version())
                    || installedKernelPackages.contains(p.packageName() + "=" + p.version())) {
                continue;
            }
            Optional<KernelRelease> k = index.releaseOf(p);
            if (k.isEmpty() || installed.supports(k.get())) {
                continue;
            }
            Optional<OpenZfsMeta> newer = candidateMeta.filter(m -> newerZfs.isPresent());
            if (newer.isPresent() && newer.get().supports(k.get())) {
                continue;
            }
            holds.add(new Hold(p.packageName(), p.version(), k.get(), reason(p, k.get(), installed, newer)));
        }
        Optional<PinPlan.Candidate> known = newerZfs.isPresent() && candidateMeta.isPresent()
                ? Optional.of(new PinPlan.Candidate(newerZfs.get().version(), candidateMeta.get()))
                : Optional.empty();
        return new PinPlan(installed, holds, Optional.empty(), known);
    }

    private static String reason(ControlFields p, KernelRelease k, OpenZfsMeta installed, Optional<OpenZfsMeta> newer) {
        String pulls = KernelPackageIndex.releaseInName(p.packageName()).isPresent() ? "installs" : "pulls in";
        String s = p.packageName() + " " + p.version() + " " + pulls + " Linux " + k + ", outside OpenZFS "
                + installed.version() + " (Linux " + installed.linuxMinimum() + " to " + installed.linuxMaximum() + ")";
        if (newer.isPresent()) {
            s += " and OpenZFS " + newer.get().version() + " (Linux " + newer.get().linuxMinimum() + " to "
                    + newer.get().linuxMaximum() + ")";
        }
        return s;
    }

    /**
     * The highest zfs-dkms in the lists whose upstream version is newer than the installed one's.
     * Upstream versions only: a new Debian revision of the same OpenZFS keeps its Linux range.
     */
    public static Optional<ControlFields> newerZfs(KernelPackageIndex index, Optional<String> installedZfs) {
        if (installedZfs.isEmpty()) {
            return Optional.empty();
        }
        String have = upstream(installedZfs.get());
        ControlFields best = null;
        for (ControlFields c : index.versionsOf(ZFS_DKMS)) {
            String up = upstream(c.version());
            if (KernelRelease.compare(up, have) > 0 && (best == null || KernelRelease.compare(up, upstream(best.version())) > 0)) {
                best = c;
            }
        }
        return Optional.ofNullable(best);
    }

    /** {@code 2.3.2} of {@code 1:2.3.2-2~bpo12+2}. */
    static String upstream(String debianVersion) {
        String v = debianVersion;
        int colon = v.indexOf(':');
        if (colon >= 0) {
            v = v.substring(colon + 1);
        }
        int dash = v.lastIndexOf('-');
        return dash > 0 ? v.substring(0, dash) : v;
    }
}
