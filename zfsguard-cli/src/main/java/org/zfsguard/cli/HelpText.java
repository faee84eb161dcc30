package org.zfsguard.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * Help that wraps only at spaces. picocli wraps with the JDK's line
 * BreakIterator, which also breaks after a dot and before a parenthesis, so a
 * line could end in "/etc/zfsguard/zfsguard." or "zfsguard" with "(8)" on the
 * next. Inside a word, dots and parentheses are swapped for letters the
 * BreakIterator never splits at while picocli lays the text out, and swapped
 * back in every finished section.
 */
final class HelpText {
    private static final char DOT = '\u00ff';
    private static final char PAREN = '\u00fe';
    private static final Pattern INNER_DOT = Pattern.compile("(?<=\\S)\\.(?=\\S)");
    private static final Pattern INNER_PAREN = Pattern.compile("(?<=\\S)\\(");

    private HelpText() {
    }

    /** For {@code cl} and every command under it; call once all commands are added. */
    static void install(CommandLine cl) {
        protect(cl);
        cl.setHelpFactory(Unbroken::new);
        Map<String, CommandLine.IHelpSectionRenderer> sections = new LinkedHashMap<>();
        cl.getHelpSectionMap().forEach((key, renderer) -> sections.put(key, help -> restore(renderer.render(help))));
        cl.setHelpSectionMap(sections);
    }

    static String protect(String s) {
        return s == null ? null
                : INNER_PAREN.matcher(INNER_DOT.matcher(s).replaceAll(String.valueOf(DOT))).replaceAll(String.valueOf(PAREN));
    }

    static String restore(String s) {
        return s == null ? null : s.replace(DOT, '.').replace(PAREN, '(');
    }

    private static void protect(CommandLine cl) {
        UsageMessageSpec u = cl.getCommandSpec().usageMessage();
        u.description(protect(u.description()));
        u.header(protect(u.header()));
        u.footer(protect(u.footer()));
        Map<String, String> codes = new LinkedHashMap<>();
        u.exitCodeList().forEach((code, text) -> codes.put(code, protect(text)));
        u.exitCodeList(codes);
        cl.getSubcommands().values().forEach(HelpText::protect);
    }

    private static String[] protect(String[] lines) {
        String[] out = new String[lines.length];
        for (int i = 0; i < lines.length; i++) {
            out[i] = protect(lines[i]);
        }
        return out;
    }

    /** Option and parameter descriptions are read from annotations that cannot be changed: swap while laying out. */
    private static final class Unbroken extends Help {
        Unbroken(CommandSpec spec, ColorScheme scheme) {
            super(spec, scheme);
        }

        @Override
        public IOptionRenderer createDefaultOptionRenderer() {
            IOptionRenderer d = super.createDefaultOptionRenderer();
            return (option, labels, scheme) -> protect(d.render(option, labels, scheme), scheme);
        }

        @Override
        public IParameterRenderer createDefaultParameterRenderer() {
            IParameterRenderer d = super.createDefaultParameterRenderer();
            return (param, labels, scheme) -> protect(d.render(param, labels, scheme), scheme);
        }

        /** Only the last column, the description: the option names keep their colours. */
        private static Text[][] protect(Text[][] rows, ColorScheme scheme) {
            for (Text[] row : rows) {
                int last = row.length - 1;
                if (last >= 0 && row[last] != null) {
                    row[last] = scheme.ansi().new Text(HelpText.protect(row[last].plainString()), scheme);
                }
            }
            return rows;
        }
    }
}
