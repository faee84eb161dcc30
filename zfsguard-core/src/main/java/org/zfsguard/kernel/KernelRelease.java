package org.zfsguard.kernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

import org.zfsguard.system.SystemRoot;

/**
 * A kernel release as the kernel reports it ({@code 6.12.58-current-rockchip64},
 * {@code 6.1.0-56-amd64}): version numbers plus a local suffix.
 *
 * <p>Release strings come from directory names, symlink targets and module
 * headers, so they are validated before they are ever used in a path: only the
 * characters kernel builds use, no {@code ..}, at most 64 characters (the
 * kernel's own limit for the release field).
 *
 * <p>Ordering follows {@code linux-version compare} (Debian's linux-base): the
 * string is split into digit runs, hyphen-led words and other runs; numbers
 * compare numerically, everything else by ASCII, a shorter string sorts first,
 * and {@code -rc}/{@code -trunk} sort before anything, even the end.
 */
public final class KernelRelease implements Comparable<KernelRelease> {
    /** The kernel's __NEW_UTS_LEN. */
    public static final int MAX_LENGTH = 64;

    /** {@link #compare} as a Comparator of version strings (a class, not a lambda: no bootstrap cost at start). */
    public static final java.util.Comparator<String> VERSION_ORDER = new java.util.Comparator<String>() {
        @Override
        public int compare(String a, String b) {
            return KernelRelease.compare(a, b);
        }
    };

    private final String text;
    private final List<Integer> numbers;
    /** {@link #split} once: a sort of 20,000 releases compares each many times. */
    private final List<String> parts;

    private KernelRelease(String text, List<Integer> numbers) {
        this.text = text;
        this.numbers = numbers;
        this.parts = split(text);
    }

    /** Parses {@code s}, or throws {@link InvalidKernelReleaseException} saying why it is not a release. */
    public static KernelRelease parse(String s) {
        String problem = problem(s);
        if (problem != null) {
            throw new InvalidKernelReleaseException(s, problem);
        }
        return new KernelRelease(s, leadingNumbers(s));
    }

    /**
     * {@code s} itself when it is a valid release, for code that puts it into a
     * path or a name; an {@link IllegalArgumentException} naming it otherwise.
     */
    public static String require(String s) {
        return parse(s).text();
    }

    /** True when {@code s} is a valid release string. */
    public static boolean isValid(String s) {
        return problem(s) == null;
    }

    /** Why {@code s} is not a valid release, or null when it is. */
    public static String problem(String s) {
        if (s == null || s.isEmpty()) {
            return "empty";
        }
        if (s.length() > MAX_LENGTH) {
            return "longer than " + MAX_LENGTH + " characters";
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '/') {
                return "contains '/'";
            }
            if (Character.isWhitespace(c) || c < 0x20 || c == 0x7f) {
                return "contains whitespace or a control character";
            }
            if (!allowed(c)) {
                return "contains '" + (c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c)) + "'";
            }
        }
        if (s.contains("..")) {
            return "contains '..'";
        }
        if (!(Character.isDigit(s.charAt(0)))) {
            return "does not start with a version number";
        }
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i + 1 >= s.length() || s.charAt(i) != '.' || !Character.isDigit(s.charAt(i + 1))) {
            return "has no MAJOR.MINOR version";
        }
        if (s.endsWith(".")) {
            return "ends with '.'";
        }
        return null;
    }

    private static boolean allowed(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                || c == '.' || c == '-' || c == '_' || c == '+' || c == '~';
    }

    private static List<Integer> leadingNumbers(String s) {
        List<Integer> out = new ArrayList<>(4);
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (i == start) {
                break;
            }
            out.add(saturatingInt(s.substring(start, i)));
            if (i < s.length() && s.charAt(i) == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1))) {
                i++;
            } else {
                break;
            }
        }
        return Collections.unmodifiableList(out);
    }

    private static int saturatingInt(String digits) {
        String t = stripZeros(digits);
        return t.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(t);
    }

    /** The release string itself, safe to use as one path component. */
    public String text() {
        return text;
    }

    /** The dotted version numbers at the start ({@code [6, 12, 58]} for {@code 6.12.58-current-rockchip64}). */
    public List<Integer> numbers() {
        return numbers;
    }

    public int major() {
        return numbers.get(0);
    }

    public int minor() {
        return numbers.get(1);
    }

    /** The major.minor that OpenZFS's Linux-Minimum and Linux-Maximum name. */
    public KernelSeries series() {
        return new KernelSeries(major(), minor());
    }

    /** What follows the version numbers ({@code -current-rockchip64}), possibly empty. */
    public String localSuffix() {
        int i = 0;
        int dots = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isDigit(c)) {
                i++;
            } else if (c == '.' && i + 1 < text.length() && Character.isDigit(text.charAt(i + 1)) && dots < numbers.size() - 1) {
                dots++;
                i++;
            } else {
                break;
            }
        }
        return text.substring(i);
    }

    @Override
    public int compareTo(KernelRelease other) {
        return compareParts(parts, other.parts);
    }

    /** {@code linux-version compare} of two version strings: negative, zero or positive. */
    public static int compare(String left, String right) {
        return compareParts(split(left), split(right));
    }

    private static int compareParts(List<String> l, List<String> r) {
        for (int i = 0; ; i++) {
            String a = i < l.size() ? l.get(i) : null;
            String b = i < r.size() ? r.get(i) : null;
            boolean aPre = a != null && (a.equals("-rc") || a.equals("-trunk"));
            boolean bPre = b != null && (b.equals("-rc") || b.equals("-trunk"));
            if (aPre || bPre) {
                if (!bPre) {
                    return -1;
                }
                if (!aPre) {
                    return 1;
                }
            }
            if (a == null || b == null) {
                return a == null ? (b == null ? 0 : -1) : 1;
            }
            boolean aNum = Character.isDigit(a.charAt(0));
            boolean bNum = Character.isDigit(b.charAt(0));
            int c = aNum && bNum ? compareNumbers(a, b) : Integer.signum(a.compareTo(b));
            if (c != 0) {
                return c;
            }
        }
    }

    /** Digit runs, a hyphen with the non-digits after it, or runs of anything else. */
    static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            int start = i;
            char c = s.charAt(i);
            if (Character.isDigit(c)) {
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
            } else if (c == '-') {
                i++;
                while (i < s.length() && !Character.isDigit(s.charAt(i))) {
                    i++;
                }
            } else {
                while (i < s.length() && s.charAt(i) != '-' && !Character.isDigit(s.charAt(i))) {
                    i++;
                }
            }
            out.add(s.substring(start, i));
        }
        return out;
    }

    private static int compareNumbers(String a, String b) {
        String x = stripZeros(a);
        String y = stripZeros(b);
        if (x.length() != y.length()) {
            return x.length() < y.length() ? -1 : 1;
        }
        return Integer.signum(x.compareTo(y));
    }

    private static String stripZeros(String digits) {
        int i = 0;
        while (i < digits.length() - 1 && digits.charAt(i) == '0') {
            i++;
        }
        return digits.substring(i);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KernelRelease k && k.text.equals(text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text);
    }

    @Override
    public String toString() {
        return text;
    }

    /** Thrown for strings that are not kernel releases; the message is printable. */
    public static final class InvalidKernelReleaseException extends IllegalArgumentException {
        private final String reason;

        InvalidKernelReleaseException(String input, String reason) {
            super("not a kernel release (" + reason + "): '" + (input == null ? "" : SystemRoot.printable(input)) + "'");
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }
}
