package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * The Armbian extension, the customize-image.sh example and the build stand-in that tests them
 * are shellcheck clean, as Armbian's own CI requires of extensions.
 */
class ArmbianScriptsTest {

    static final Path TOP = Path.of("..");

    @Test
    void theExtensionIsShellcheckCleanAsBash() {
        shellcheck("bash", "armbian/extensions/zfsguard.sh");
    }

    @Test
    void theCustomizeImageExampleIsShellcheckClean() {
        shellcheck("bash", "armbian/userpatches/customize-image.sh");
    }

    @Test
    void theBuildStandInsAreShellcheckClean() {
        shellcheck("bash", "zfsguard-deb/src/test/armbian/build-standin.sh");
        shellcheck("bash", "zfsguard-deb/src/test/armbian/extensions/zfs.sh");
    }

    @Test
    void theExtensionDefinesOnlyHookFunctionsNamedForIt() throws Exception {
        String text = Files.readString(TOP.resolve("armbian/extensions/zfsguard.sh"));
        // The extension manager takes every function with "__" for a hook implementation.
        assertThat(text.lines().filter(l -> l.startsWith("function ") && l.contains("__")))
                .isNotEmpty()
                .allSatisfy(l -> assertThat(l).matches("function [a-z_]+__zfsguard\\(\\) \\{"));
        assertThat(text.lines().filter(l -> l.startsWith("function ")))
                .allSatisfy(l -> assertThat(l).contains("zfsguard"));
    }

    private static void shellcheck(String shell, String file) {
        if (!Files.isExecutable(Path.of("/usr/bin/shellcheck"))) {
            throw new AssertionError("shellcheck is not installed: run .ci/install-deps (apt-get install shellcheck)");
        }
        Path script = TOP.resolve(file);
        assertThat(script).isRegularFile();
        Exec.Result r = Exec.host(Duration.ofMinutes(2), "shellcheck", "--shell=" + shell, "--severity=style",
                script.toAbsolutePath().toString());
        assertThat(r.exitCode()).as(r.describe()).isZero();
    }
}
