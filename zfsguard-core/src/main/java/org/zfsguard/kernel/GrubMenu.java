package org.zfsguard.kernel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

import org.zfsguard.kernel.GrubScript.Word;

/**
 * What {@code grub-mkconfig} wrote into {@code grub.cfg} that decides the next boot:
 * the menu (entries and submenus in order, with their titles, ids and the kernel each
 * entry loads) and the {@code set default=} statements at the top level. Pure: the
 * file's text in, the menu out.
 */
public final class GrubMenu {
    /** The largest grub.cfg read; generated ones are tens of KiB even with dozens of kernels. */
    public static final int MAX_SIZE = 4 * 1024 * 1024;

    private static final Set<String> OPTIONS_WITH_ARGUMENT = Set.of("--class", "--users", "--hotkey", "--source", "--id");
    private static final Set<String> LINUX_COMMANDS = Set.of("linux", "linux16", "linuxefi");

    /**
     * One menu item.
     *
     * @param title the title shown in the menu
     * @param id the {@code --id} (grub-mkconfig's {@code $menuentry_id_option}), or null
     * @param children the items of a submenu; null for an entry
     * @param linux the first argument of the entry's {@code linux} command, or null (no Linux, or not literal)
     * @param conditional true when the item sits inside an {@code if}: whether GRUB creates it depends on the machine
     */
    public record Item(String title, String id, List<Item> children, String linux, boolean conditional) {

        public boolean isSubmenu() {
            return children != null;
        }

        /** The id, else the title: what GRUB's {@code default} would be set to. */
        public String name() {
            return id != null ? id : title;
        }
    }

    private final List<Item> items;
    private final boolean readsNextEntry;
    private final boolean readsPrevSavedEntry;
    private final Word configuredDefault;

    private GrubMenu(List<Item> items, boolean readsNextEntry, boolean readsPrevSavedEntry, Word configuredDefault) {
        this.items = items;
        this.readsNextEntry = readsNextEntry;
        this.readsPrevSavedEntry = readsPrevSavedEntry;
        this.configuredDefault = configuredDefault;
    }

    /** The top-level items, in menu order. */
    public List<Item> items() {
        return items;
    }

    /** True when grub.cfg boots {@code next_entry} once when it is set (grub-reboot). */
    public boolean readsNextEntry() {
        return readsNextEntry;
    }

    /** True when grub.cfg moves {@code prev_saved_entry} into {@code saved_entry} (the older grub-reboot). */
    public boolean readsPrevSavedEntry() {
        return readsPrevSavedEntry;
    }

    /** The default set when there is no one-shot entry, as written ({@code 0}, {@code ${saved_entry}}, an id), or null. */
    Word configuredDefault() {
        return configuredDefault;
    }

    /** True when the configured default is {@code ${saved_entry}} (GRUB_DEFAULT=saved). */
    public boolean defaultIsSavedEntry() {
        return configuredDefault != null && configuredDefault.reads("saved_entry");
    }

    public static GrubMenu parse(String text) {
        List<Item> top = new ArrayList<>();
        Deque<Frame> stack = new ArrayDeque<>();
        boolean readsNext = false;
        boolean readsPrev = false;
        Word configured = null;
        int ifDepth = 0;
        for (List<Word> command : GrubScript.commands(text)) {
            List<Word> words = withoutKeywords(command);
            if (words.isEmpty()) {
                continue;
            }
            Word first = words.get(0);
            if (first.isBare("if")) {
                ifDepth++;
            } else if (first.isBare("fi") && ifDepth > 0) {
                ifDepth--;
            }
            for (Word w : words) {
                readsPrev |= w.reads("prev_saved_entry") && first.isBare("set");
            }
            if (first.isBare("}")) {
                Frame done = stack.poll();
                if (done != null && done.kind != Kind.OTHER) {
                    Item item = new Item(done.title, done.id, done.kind == Kind.SUBMENU ? List.copyOf(done.children) : null,
                            done.linux, done.conditional);
                    List<Item> parent = menuOf(stack, top);
                    if (parent != null) {
                        parent.add(item);
                    }
                }
                continue;
            }
            Word last = words.get(words.size() - 1);
            if (last.isBare("{")) {
                stack.push(open(words, ifDepth > 0));
                continue;
            }
            Frame current = stack.peek();
            if (current != null) {
                String name = first.literal();
                if (current.kind == Kind.ENTRY && current.linux == null && name != null && LINUX_COMMANDS.contains(name)
                        && words.size() > 1) {
                    current.linux = words.get(1).literal();
                }
                continue;
            }
            if (first.isBare("set") && words.size() > 1) {
                Word assignment = words.get(1);
                String lit = assignment.parts().isEmpty() || assignment.parts().get(0).variable() ? ""
                        : assignment.parts().get(0).text();
                if (lit.startsWith("default=")) {
                    Word value = assignment.dropPrefix("default=".length());
                    if (value.reads("next_entry")) {
                        readsNext = true;
                    } else {
                        configured = value;
                    }
                }
            }
        }
        return new GrubMenu(List.copyOf(top), readsNext, readsPrev, configured);
    }

    private enum Kind { ENTRY, SUBMENU, OTHER }

    private static final class Frame {
        Kind kind;
        String title;
        String id;
        String linux;
        boolean conditional;
        final List<Item> children = new ArrayList<>();
    }

    /** The list new items go into, or null inside a function or an entry. */
    private static List<Item> menuOf(Deque<Frame> stack, List<Item> top) {
        Frame f = stack.peek();
        if (f == null) {
            return top;
        }
        return f.kind == Kind.SUBMENU ? f.children : null;
    }

    private static Frame open(List<Word> words, boolean conditional) {
        Frame f = new Frame();
        String name = words.get(0).literal();
        f.kind = "menuentry".equals(name) ? Kind.ENTRY : "submenu".equals(name) ? Kind.SUBMENU : Kind.OTHER;
        f.conditional = conditional;
        if (f.kind == Kind.OTHER) {
            return f;
        }
        for (int i = 1; i < words.size() - 1; i++) {
            Word w = words.get(i);
            String lit = w.literal();
            boolean idOption = w.isVariable("menuentry_id_option") || "--id".equals(lit);
            if (idOption || (lit != null && !w.quoted() && OPTIONS_WITH_ARGUMENT.contains(lit))) {
                if (i + 1 < words.size() - 1 && idOption) {
                    f.id = words.get(i + 1).expand(v -> "");
                }
                i++;
            } else if (lit != null && !w.quoted() && lit.startsWith("--")) {
                continue;
            } else if (f.title == null) {
                f.title = w.expand(v -> "");
            }
        }
        if (f.title == null) {
            f.title = "";
        }
        return f;
    }

    /** A command without the leading {@code then}, {@code else}, {@code do} that join it to a condition. */
    private static List<Word> withoutKeywords(List<Word> command) {
        int i = 0;
        while (i < command.size() && (command.get(i).isBare("then") || command.get(i).isBare("else")
                || command.get(i).isBare("do"))) {
            i++;
        }
        return command.subList(i, command.size());
    }
}
