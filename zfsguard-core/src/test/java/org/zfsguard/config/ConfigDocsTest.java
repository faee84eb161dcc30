package org.zfsguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** zfsguard.conf(5) and the shipped conffile name exactly the keys the code reads, with the defaults it uses. */
class ConfigDocsTest {
    private static final Path DOCS = Path.of("..", "debian-resources");

    /** Keys under KEYS in the man page: ".BI key" or ".BR key" lines right after ".TP". */
    private static Map<String, String> manPageKeys() throws IOException {
        String page = Files.readString(DOCS.resolve("doc/zfsguard.conf.5"));
        String keys = page.substring(page.indexOf("\n.SH KEYS\n"), page.indexOf("\n.SH EXAMPLE\n"));
        Map<String, String> found = new LinkedHashMap<>();
        String[] entries = keys.split("\n\\.TP\n");
        for (int i = 1; i < entries.length; i++) {
            Matcher head = Pattern.compile("^\\.B[IR] ([a-z_]+) ").matcher(entries[i]);
            assertThat(head.find()).as(entries[i]).isTrue();
            Matcher d = Pattern.compile("Default\\s+(\\S+?)[;,]").matcher(entries[i]);
            found.put(head.group(1), d.find() ? d.group(1) : entries[i].contains("(the default)") ? "" : null);
        }
        return found;
    }

    /** "#key = value" lines of the conffile, each the default. */
    private static Map<String, String> conffileKeys() throws IOException {
        Map<String, String> found = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^#([a-z_]+) = (\\S+)$").matcher(Files.readString(DOCS.resolve("etc/zfsguard.conf")));
        while (m.find()) {
            found.put(m.group(1), m.group(2));
        }
        return found;
    }

    @Test
    void theManPageAndTheConffileNameEveryKeyOfTheCodeAndNoOther() throws Exception {
        Map<String, String> man = manPageKeys();
        Map<String, String> conffile = conffileKeys();
        assertThat(man.keySet()).containsExactlyElementsOf(conffile.keySet());
        assertThat(man).hasSize(Config.class.getRecordComponents().length);
        for (Map.Entry<String, String> e : conffile.entrySet()) {
            // Each documented key with its documented default parses to exactly the defaults.
            assertThat(Config.parse(e.getKey() + " = " + e.getValue() + "\n", "conffile")).as(e.getKey())
                    .isEqualTo(Config.defaults());
        }
        assertThatThrownBy(() -> Config.parse("max_temp_c = 80\n", "x")).hasMessageContaining("unknown key 'max_temp_c'");
    }

    @Test
    void numericDefaultsInTheManPageAreTheCodesDefaults() throws Exception {
        Map<String, String> man = manPageKeys();
        Config d = Config.defaults();
        assertThat(man).containsEntry("max_temp", String.valueOf(d.maxTempC()))
                .containsEntry("jobs", String.valueOf(d.jobs()))
                .containsEntry("keep_kernels", String.valueOf(d.keepKernels()))
                .containsEntry("reserve_mib", String.valueOf(d.reserveMiB()));
    }

    @Test
    void zfsguard8UsesTheKeyNamesOfTheCode() throws IOException {
        String page = Files.readString(DOCS.resolve("doc/zfsguard.8"));
        assertThat(page).doesNotContain("max_temp_c").contains(".B max_temp\n").contains(".BR zfsguard.conf (5)");
    }
}
