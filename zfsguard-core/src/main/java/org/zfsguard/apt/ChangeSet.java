package org.zfsguard.apt;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one apt run does to the packages zfsguard watches: the pure
 * classification behind the hooks' "act or stay silent" choice and the
 * preflight decision.
 */
public final class ChangeSet {
    private final List<PackageChange> all;

    private ChangeSet(List<PackageChange> all) {
        this.all = List.copyOf(all);
    }

    public static ChangeSet of(HookStream stream, WatchList watch) {
        return of(stream.actions(), watch);
    }

    /**
     * Merges the actions per package. A package can appear on several lines
     * (unpack, then configure; or removed and installed again): it counts as
     * installed when any line installs it, with the versions of its first
     * installing line, else as removed. Entries are keyed by name alone, as apt
     * writes them (no ":arch"); two architectures of one package merge, which
     * no kernel or OpenZFS package has.
     */
    public static ChangeSet of(List<PackageAction> actions, WatchList watch) {
        Objects.requireNonNull(watch, "watch");
        Map<String, List<PackageAction>> byName = new LinkedHashMap<>();
        for (PackageAction a : actions) {
            byName.computeIfAbsent(a.name(), k -> new ArrayList<>()).add(a);
        }
        List<PackageChange> changes = new ArrayList<>();
        for (Map.Entry<String, List<PackageAction>> e : byName.entrySet()) {
            changes.add(merge(e.getKey(), e.getValue(), watch.matches(e.getKey())));
        }
        return new ChangeSet(changes);
    }

    private static PackageChange merge(String name, List<PackageAction> lines, boolean watched) {
        Optional<PackageAction> install = lines.stream().filter(PackageAction::installs).findFirst();
        Optional<String> debPath = lines.stream().map(PackageAction::debPath).flatMap(Optional::stream).findFirst();
        boolean unpacked = lines.stream().anyMatch(a -> a.action() == PackageAction.Action.DEB_PATH
                || a.action() == PackageAction.Action.NO_FILE);
        PackageRole role = PackageRole.of(name);
        if (install.isEmpty()) {
            PackageAction r = lines.get(0);
            return new PackageChange(name, r.oldVersion(), Optional.empty(), PackageChange.Kind.REMOVE,
                    Optional.empty(), role, watched);
        }
        PackageAction i = install.get();
        PackageChange.Kind kind;
        if (!unpacked) {
            kind = PackageChange.Kind.CONFIGURE_ONLY;
        } else if (i.oldVersion().isEmpty()) {
            kind = PackageChange.Kind.INSTALL;
        } else {
            kind = switch (i.direction()) {
                case UP -> PackageChange.Kind.UPGRADE;
                case DOWN -> PackageChange.Kind.DOWNGRADE;
                case SAME -> PackageChange.Kind.REINSTALL;
            };
        }
        return new PackageChange(name, i.oldVersion(), i.newVersion(), kind, debPath, role, watched);
    }

    /** Every package of the run, watched or not, in stream order. */
    public List<PackageChange> all() {
        return all;
    }

    public List<PackageChange> watched() {
        return all.stream().filter(PackageChange::watched).toList();
    }

    /** True when the run touches no watched package: zfsguard has nothing to do. */
    public boolean nothingWatched() {
        return all.stream().noneMatch(PackageChange::watched);
    }

    /** Watched packages installed, upgraded, downgraded, reinstalled or configured. */
    public List<PackageChange> installedOrUpgraded() {
        return all.stream().filter(c -> c.watched() && c.installedAfter()).toList();
    }

    public List<PackageChange> removed() {
        return all.stream().filter(c -> c.watched() && !c.installedAfter()).toList();
    }

    public List<PackageChange> withRole(PackageRole role) {
        return all.stream().filter(c -> c.role() == role).toList();
    }

    public List<PackageChange> kernelImages() {
        return withRole(PackageRole.KERNEL_IMAGE);
    }

    public List<PackageChange> inPlaceKernelUpgrades() {
        return all.stream().filter(PackageChange::isInPlaceKernelUpgrade).toList();
    }

    public List<PackageChange> openZfs() {
        return withRole(PackageRole.OPENZFS);
    }

    public Optional<PackageChange> find(String name) {
        return all.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
