package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** What the README shows is what the project runs and ships. */
class ReadmeTest {
    static final Path TOP = Path.of("..");

    static String block(String marker) throws IOException {
        String readme = Files.readString(TOP.resolve("README.md"));
        int a = readme.indexOf("<!-- " + marker + ":begin -->");
        int b = readme.indexOf("<!-- " + marker + ":end -->");
        assertThat(a).as("README marker %s", marker).isNotNegative();
        assertThat(b).isGreaterThan(a);
        String inner = readme.substring(a, b);
        return inner.substring(inner.indexOf("```sh\n") + 6, inner.lastIndexOf("```"));
    }

    @Test
    void theRestoreByHandScriptInTheReadmeIsTheTestedAndShippedOne() throws IOException {
        assertThat(block("restore-by-hand"))
                .isEqualTo(Files.readString(TOP.resolve("debian-resources/doc/restore-by-hand.sh")));
    }

    @Test
    void theRunCommandInstallsWhatTheBuildNeedsBuildsAndEndsWithTheDemo() throws IOException {
        assertThat(block("run-command").strip()).startsWith(".ci/install-deps && ").contains("mvn -B package")
                .endsWith("&& demo/armbian-upgrade.sh");
        assertThat(TOP.resolve("demo/armbian-upgrade.sh")).isRegularFile().isExecutable();
    }

    @Test
    void theTestCommandIsWhatCiRuns() throws IOException {
        assertThat(block("test-command")).contains("mvn -B verify");
        assertThat(Files.readString(TOP.resolve(".ci/run"))).contains("test-command:begin");
    }
}
