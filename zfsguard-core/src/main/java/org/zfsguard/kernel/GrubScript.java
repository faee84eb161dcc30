package org.zfsguard.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The words of a GRUB script ({@code grub.cfg}), split into commands the way GRUB's
 * lexer does it: blanks separate words, a newline or {@code ;} ends a command,
 * {@code '...'} is literal, {@code "..."} and bare words expand {@code $name} and
 * {@code ${name}}, a backslash escapes the next character, {@code #} starts a
 * comment. Variables are kept as variables, not expanded: grub.cfg's meaning
 * depends on which of them it reads ({@code ${saved_entry}}, {@code ${next_entry}}).
 */
final class GrubScript {
    private GrubScript() {
    }

    /** One piece of a word: literal text, or a variable reference. */
    record Part(String text, boolean variable) {
    }

    /** One word: literal and variable parts, and whether it was quoted (a quoted "{" is no brace). */
    record Word(List<Part> parts, boolean quoted) {

        /** The text with every variable replaced by {@code values}. */
        String expand(UnaryOperator<String> values) {
            StringBuilder b = new StringBuilder();
            for (Part p : parts) {
                b.append(p.variable() ? values.apply(p.text()) : p.text());
            }
            return b.toString();
        }

        /** The text when it holds no variable, else null. */
        String literal() {
            for (Part p : parts) {
                if (p.variable()) {
                    return null;
                }
            }
            return expand(v -> "");
        }

        boolean isBare(String s) {
            return !quoted && s.equals(literal());
        }

        /** True when the word is exactly the variable {@code name}. */
        boolean isVariable(String name) {
            return parts.size() == 1 && parts.get(0).variable() && parts.get(0).text().equals(name);
        }

        /** True when any part reads the variable {@code name}. */
        boolean reads(String name) {
            return parts.stream().anyMatch(p -> p.variable() && p.text().equals(name));
        }

        /** The word with its first {@code n} literal characters removed (for {@code name=value}). */
        Word dropPrefix(int n) {
            List<Part> out = new ArrayList<>();
            int left = n;
            for (Part p : parts) {
                if (left > 0 && !p.variable()) {
                    int cut = Math.min(left, p.text().length());
                    left -= cut;
                    if (cut < p.text().length()) {
                        out.add(new Part(p.text().substring(cut), false));
                    }
                } else {
                    out.add(p);
                }
            }
            return new Word(out, quoted);
        }
    }

    /** The commands of {@code text}, each a non-empty list of words. */
    static List<List<Word>> commands(String text) {
        List<List<Word>> out = new ArrayList<>();
        List<Word> command = new ArrayList<>();
        List<Part> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        boolean inWord = false;
        boolean quoted = false;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\\') {
                if (i + 1 < n && text.charAt(i + 1) != '\n') {
                    lit.append(text.charAt(i + 1));
                    inWord = true;
                }
                i += 2;
            } else if (c == '\'') {
                int end = text.indexOf('\'', i + 1);
                end = end < 0 ? n : end;
                lit.append(text, i + 1, end);
                inWord = true;
                quoted = true;
                i = end + 1;
            } else if (c == '"') {
                i++;
                while (i < n && text.charAt(i) != '"') {
                    char d = text.charAt(i);
                    if (d == '\\' && i + 1 < n && "$\"\\\n".indexOf(text.charAt(i + 1)) >= 0) {
                        if (text.charAt(i + 1) != '\n') {
                            lit.append(text.charAt(i + 1));
                        }
                        i += 2;
                    } else if (d == '$' && i + 1 < n && isVariableStart(text, i + 1)) {
                        i = variable(text, i + 1, parts, lit);
                    } else {
                        lit.append(d);
                        i++;
                    }
                }
                i++;
                inWord = true;
                quoted = true;
            } else if (c == '$' && i + 1 < n && isVariableStart(text, i + 1)) {
                i = variable(text, i + 1, parts, lit);
                inWord = true;
            } else if (c == '#' && !inWord) {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';') {
                if (inWord) {
                    flush(parts, lit);
                    command.add(new Word(List.copyOf(parts), quoted));
                    parts.clear();
                    inWord = false;
                    quoted = false;
                }
                if ((c == '\n' || c == ';') && !command.isEmpty()) {
                    out.add(List.copyOf(command));
                    command.clear();
                }
                i++;
            } else {
                lit.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            flush(parts, lit);
            command.add(new Word(List.copyOf(parts), quoted));
        }
        if (!command.isEmpty()) {
            out.add(List.copyOf(command));
        }
        return out;
    }

    private static boolean isVariableStart(String text, int i) {
        char c = text.charAt(i);
        return c == '{' || c == '_' || c == '?' || c == '#' || c == '@' || c == '*' || Character.isLetterOrDigit(c);
    }

    /** Reads {@code name} or {@code {name}} at {@code i} (just after the $); returns the index after it. */
    private static int variable(String text, int i, List<Part> parts, StringBuilder lit) {
        flush(parts, lit);
        int n = text.length();
        String name;
        if (text.charAt(i) == '{') {
            int end = text.indexOf('}', i + 1);
            end = end < 0 ? n : end;
            name = text.substring(i + 1, end);
            i = end + 1;
        } else if ("?#@*".indexOf(text.charAt(i)) >= 0) {
            name = String.valueOf(text.charAt(i));
            i++;
        } else {
            int start = i;
            while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
                i++;
            }
            name = text.substring(start, i);
        }
        parts.add(new Part(name, true));
        return i;
    }

    private static void flush(List<Part> parts, StringBuilder lit) {
        if (lit.length() > 0) {
            parts.add(new Part(lit.toString(), false));
            lit.setLength(0);
        }
    }
}
