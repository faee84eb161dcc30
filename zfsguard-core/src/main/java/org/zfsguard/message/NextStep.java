package org.zfsguard.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

import org.zfsguard.system.SystemRoot;

/**
 * What the operator should do next, rendered in one voice: the label
 * {@code next:}, {@code sudo} when the command changes the system, and the
 * {@code --root DIR} the operator gave, so that the line can be pasted as it is.
 * A step is kept as words, not as one string, so that the root option lands in
 * the right place and a directory with spaces is quoted once.
 */
public final class NextStep {
    /** The one label in front of every next step. */
    public static final String LABEL = "next: ";

    private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private enum Kind { ZFSGUARD, TOOL, PROSE }

    private final Kind kind;
    private final boolean needsRoot;
    private final List<String> words;
    private final String tail;
    /** A step that only works after this one (install the headers, then rebuild), or null. */
    private final NextStep after;

    private NextStep(Kind kind, boolean needsRoot, List<String> words, String tail) {
        this(kind, needsRoot, words, tail, null);
    }

    private NextStep(Kind kind, boolean needsRoot, List<String> words, String tail, NextStep after) {
        this.kind = kind;
        this.needsRoot = needsRoot;
        this.words = List.copyOf(words);
        this.tail = tail;
        this.after = after;
    }

    /** A zfsguard command that only reads (status, check, backups, verify). */
    public static NextStep zfsguard(String... args) {
        return new NextStep(Kind.ZFSGUARD, false, List.of(args), null);
    }

    /** A zfsguard command that changes the system (rebuild, backup, restore). */
    public static NextStep zfsguardAsRoot(String... args) {
        return new NextStep(Kind.ZFSGUARD, true, List.of(args), null);
    }

    /**
     * Another program run as root (apt, update-initramfs); on a root other
     * than / it runs inside that system through chroot(8).
     */
    public static NextStep toolAsRoot(String... argv) {
        return new NextStep(Kind.TOOL, true, List.of(argv), null);
    }

    /** Advice that is not one command (read a file, boot another kernel). */
    public static NextStep prose(String text) {
        return new NextStep(Kind.PROSE, false, List.of(), Objects.requireNonNull(text, "text"));
    }

    /** The same step followed by words that explain it, e.g. "(one job, stops above 80 C)". */
    public NextStep because(String note) {
        return new NextStep(kind, needsRoot, words, tail == null ? note : tail + " " + note, after);
    }

    /** This step, and {@code next} once it is done: rendered as "A, then B". */
    public NextStep then(NextStep next) {
        return new NextStep(kind, needsRoot, words, tail, after == null ? next : after.then(next));
    }

    /** The step this one ends with: itself, or the last of its {@link #then} chain. */
    public NextStep last() {
        return after == null ? this : after.last();
    }

    public boolean needsRoot() {
        return needsRoot;
    }

    /** The command as the operator of {@code root} types it, without the label. */
    public String command(SystemRoot root) {
        if (kind == Kind.PROSE) {
            return after == null ? tail : tail + ", then " + after.command(root);
        }
        List<String> argv = new ArrayList<>();
        if (needsRoot) {
            argv.add("sudo");
        }
        if (kind == Kind.ZFSGUARD) {
            argv.add("zfsguard");
            if (!root.isHost()) {
                argv.add("--root");
                argv.add(root.path().toString());
            }
        } else if (!root.isHost()) {
            argv.add("chroot");
            argv.add(root.path().toString());
        }
        argv.addAll(words);
        StringBuilder b = new StringBuilder();
        for (String w : argv) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(quoted(w));
        }
        if (tail != null) {
            b.append("   ").append(tail);
        }
        if (after != null) {
            b.append(", then ").append(after.command(root));
        }
        return SystemRoot.printable(b.toString());
    }

    /** {@code next: } and the command. */
    public String line(SystemRoot root) {
        return LABEL + command(root);
    }

    /** A word as a POSIX shell reads it back: plain words as they are, anything else in single quotes. */
    public static String quoted(String word) {
        if (!word.isEmpty() && PLAIN_WORD.matcher(word).matches()) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** The command for the running system, which is what tests and logs compare. */
    @Override
    public String toString() {
        return command(SystemRoot.host());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NextStep n && n.kind == kind && n.needsRoot == needsRoot && n.words.equals(words)
                && Objects.equals(n.tail, tail) && Objects.equals(n.after, after);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, needsRoot, words, tail, after);
    }
}
