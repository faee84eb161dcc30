package org.zfsguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

class HelpTextTest {

    @AfterEach
    void reset() {
        GlobalOptions.reset();
    }

    /** Every command's help, hook's own commands too, at {@code width} columns. */
    private static List<String> helps(int width) {
        CommandLine cl = Main.newCommandLine();
        cl.setUsageHelpWidth(width);
        List<String> all = new ArrayList<>();
        all.add(cl.getUsageMessage(Ansi.OFF));
        for (CommandLine sub : cl.getSubcommands().values()) {
            all.add(sub.getUsageMessage(Ansi.OFF));
            sub.getSubcommands().values().forEach(s -> all.add(s.getUsageMessage(Ansi.OFF)));
        }
        return all;
    }

    /** Words that hold a dot or a parenthesis, as a line wide enough for every paragraph shows them. */
    private static Set<String> namesWithDots() {
        Set<String> words = new LinkedHashSet<>();
        for (String help : helps(2000)) {
            for (String w : help.split("\\s+")) {
                String core = w.replaceAll("^[('\"]+|[)'\",.;:]+$", "");
                if (core.matches(".*\\S[.(]\\S.*")) {
                    words.add(core);
                }
            }
        }
        return words;
    }

    @Test
    void fileNamesAndManPageNamesAreNeverSplitAcrossLines() {
        Set<String> names = namesWithDots();
        assertThat(names).contains("zfsguard(8", "/etc/zfsguard/zfsguard.conf", "linux-image-*.deb");
        for (int width = 60; width <= 100; width++) {
            String all = String.join("\n", helps(width));
            for (String name : names) {
                assertThat(all).as("width %d", width).contains(name);
            }
        }
    }

    @Test
    void theStandInCharactersNeverShow() {
        for (String help : helps(80)) {
            assertThat(help).doesNotContain("\u00ff", "\u00fe");
        }
        assertThat(HelpText.restore(HelpText.protect("see zfsguard(8) and /etc/zfsguard/zfsguard.conf. Then"))).isEqualTo(
                "see zfsguard(8) and /etc/zfsguard/zfsguard.conf. Then");
    }

    @Test
    void aMistypedCommandOrOptionGetsASuggestion() {
        CliRun c = CliRun.of("stauts");
        assertThat(c.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(c.err()).contains("did you mean status").contains("next: zfsguard --help");
        CliRun o = CliRun.of("status", "--jsno");
        assertThat(o.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(o.err()).contains("Unknown option: '--jsno'").contains("did you mean --json?")
                .contains("next: zfsguard status --help");
    }
}
