package org.zfsguard.kernel;

import java.util.ArrayList;
import java.util.List;

import org.zfsguard.kernel.GrubMenu.Item;
import org.zfsguard.kernel.GrubScript.Part;

/**
 * The menu entry GRUB boots without a key pressed, decided as GRUB 2.06 decides it:
 * {@code default} is {@code next_entry} when grub.cfg reads it and grubenv sets it
 * (grub-reboot), else what grub.cfg sets ({@code ${saved_entry}} from grubenv with
 * {@code GRUB_DEFAULT=saved}, or the configured index or id). The value is a path of
 * {@code >}-separated steps ({@code >>} is a literal {@code >}); each step is an index
 * when it is a number, else the first item whose title or id equals it. A step that
 * matches nothing means the first item, as GRUB falls back to it. Pure.
 */
public final class GrubDefault {
    private GrubDefault() {
    }

    /** Where the default came from. */
    public enum Source {
        NEXT_ENTRY("next_entry"),
        SAVED_ENTRY("saved_entry"),
        CONFIGURED("default");

        public final String variable;

        Source(String variable) {
            this.variable = variable;
        }
    }

    /**
     * The entry chosen.
     *
     * @param source where the default came from
     * @param value the default's value ("" when unset)
     * @param path the items walked, submenu first, the booted entry last; empty when there is none
     * @param byPosition true when a step was a number: a regenerated menu may put another kernel there
     * @param first true when every step took the first item (grub-mkconfig puts the highest version there)
     * @param fellBack true when a step matched nothing and GRUB takes the first item
     * @param problem why the entry cannot be told, or null
     */
    public record Choice(Source source, String value, List<Item> path, boolean byPosition, boolean first, boolean fellBack,
            String problem) {

        public Item entry() {
            return path.isEmpty() ? null : path.get(path.size() - 1);
        }

        /** The entry's ids (titles where there is no id) joined by {@code >}, as grub-reboot takes them. */
        public String entryId() {
            List<String> names = new ArrayList<>();
            for (Item i : path) {
                names.add(i.name().replace(">", ">>"));
            }
            return String.join(">", names);
        }
    }

    public static Choice choose(GrubMenu menu, GrubEnv env) {
        String next = env.get("next_entry");
        if (menu.readsNextEntry() && !next.isEmpty()) {
            return walk(menu, Source.NEXT_ENTRY, next);
        }
        GrubScript.Word configured = menu.configuredDefault();
        if (configured == null) {
            return walk(menu, Source.CONFIGURED, "");
        }
        for (Part p : configured.parts()) {
            if (p.variable() && !p.text().equals("saved_entry")) {
                return new Choice(source(menu), configured.expand(v -> "${" + v + "}"), List.of(), false, false, false,
                        "grub.cfg sets default from ${" + p.text() + "}, which is only known at boot time");
            }
        }
        String saved = menu.readsPrevSavedEntry() && !env.get("prev_saved_entry").isEmpty()
                ? env.get("prev_saved_entry") : env.get("saved_entry");
        String value = configured.expand(v -> saved);
        return walk(menu, source(menu), value);
    }

    private static Source source(GrubMenu menu) {
        return menu.defaultIsSavedEntry() ? Source.SAVED_ENTRY : Source.CONFIGURED;
    }

    private static Choice walk(GrubMenu menu, Source source, String value) {
        List<Item> items = menu.items();
        List<Item> path = new ArrayList<>();
        boolean byPosition = false;
        boolean fellBack = false;
        boolean first = true;
        String rest = value;
        while (true) {
            if (items.isEmpty()) {
                return new Choice(source, value, List.copyOf(path), byPosition, first, fellBack,
                        path.isEmpty() ? "grub.cfg has no menu entry" : "the submenu '" + path.get(path.size() - 1).title()
                                + "' has no entry");
            }
            String step = rest == null ? null : firstStep(rest);
            rest = rest == null ? null : remainder(rest);
            int index = -1;
            boolean stepByPosition = false;
            if (step != null && isNumber(step)) {
                stepByPosition = true;
                index = parseIndex(step);
            } else if (step != null && !step.isEmpty()) {
                for (int i = 0; i < items.size(); i++) {
                    Item it = items.get(i);
                    if (it.title().equals(step) || step.equals(it.id())) {
                        index = i;
                        break;
                    }
                }
            }
            if (index < 0 || index >= items.size()) {
                fellBack |= step != null && !step.isEmpty();
                stepByPosition = true;
                index = 0;
            }
            byPosition |= stepByPosition;
            first &= index == 0;
            for (int i = stepByPosition ? 0 : index; i <= index; i++) {
                if (items.get(i).conditional()) {
                    return new Choice(source, value, List.copyOf(path), byPosition, first, fellBack, "the menu item '"
                            + items.get(i).title() + "' exists only on some machines (grub.cfg creates it inside an if),"
                            + " so the item at position " + index + " is not known");
                }
            }
            Item chosen = items.get(index);
            path.add(chosen);
            if (!chosen.isSubmenu()) {
                return new Choice(source, value, List.copyOf(path), byPosition, first, fellBack, null);
            }
            items = chosen.children();
        }
    }

    /** The text up to the first {@code >} that is not part of {@code >>}, with {@code >>} unescaped. */
    static String firstStep(String spec) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (c == '>') {
                if (i + 1 < spec.length() && spec.charAt(i + 1) == '>') {
                    b.append('>');
                    i++;
                    continue;
                }
                return b.toString();
            }
            b.append(c);
        }
        return b.toString();
    }

    /** What follows the first single {@code >}, or null when there is none (the submenu's default is its first item). */
    static String remainder(String spec) {
        for (int i = 0; i < spec.length(); i++) {
            if (spec.charAt(i) == '>') {
                if (i + 1 < spec.length() && spec.charAt(i + 1) == '>') {
                    i++;
                    continue;
                }
                return spec.substring(i + 1);
            }
        }
        return null;
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static int parseIndex(String digits) {
        String t = digits.replaceFirst("^0+(?=.)", "");
        return t.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(t);
    }
}
