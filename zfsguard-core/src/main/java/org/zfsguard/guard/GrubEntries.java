package org.zfsguard.guard;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.zfsguard.kernel.GrubMenu;

/**
 * The menu entry of a kernel in grub.cfg, as the id path {@code submenu>entry}
 * that grub-set-default and grub-reboot take: the entry that loads
 * {@code vmlinuz-<kernel>}, preferring an entry whose id names the kernel,
 * and a normal one over a recovery-mode entry.
 */
public final class GrubEntries {
    private GrubEntries() {
    }

    /** The id path of {@code kernel}'s entry, or null when the menu has none. */
    public static String idOf(GrubMenu menu, String kernel) {
        List<List<GrubMenu.Item>> found = new ArrayList<>();
        walk(menu.items(), new ArrayList<>(), kernel, found);
        List<GrubMenu.Item> best = null;
        int bestRank = -1;
        for (List<GrubMenu.Item> path : found) {
            int rank = rank(path.get(path.size() - 1), kernel);
            if (rank > bestRank) {
                best = path;
                bestRank = rank;
            }
        }
        if (best == null) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (GrubMenu.Item i : best) {
            names.add(i.name().replace(">", ">>"));
        }
        return String.join(">", names);
    }

    /**
     * An entry whose id names the kernel stays that kernel's after update-grub
     * (the top "simple" entry moves to whichever kernel is highest); a
     * recovery-mode entry is the last choice.
     */
    private static int rank(GrubMenu.Item entry, String kernel) {
        boolean recovery = entry.title().toLowerCase(Locale.ROOT).contains("recovery");
        boolean named = entry.name().contains(kernel);
        return (recovery ? 0 : 2) + (named ? 1 : 0);
    }

    private static void walk(List<GrubMenu.Item> items, List<GrubMenu.Item> path, String kernel,
            List<List<GrubMenu.Item>> found) {
        for (GrubMenu.Item i : items) {
            List<GrubMenu.Item> here = new ArrayList<>(path);
            here.add(i);
            if (i.isSubmenu()) {
                walk(i.children(), here, kernel, found);
            } else if (i.linux() != null && i.linux().endsWith("/vmlinuz-" + kernel)) {
                found.add(here);
            }
        }
    }
}
