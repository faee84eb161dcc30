package org.zfsguard.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.system.SystemRoot;

class ProcessDepmodTest {
    @TempDir
    Path root;

    @Test
    void rejectsAnInvalidReleaseBeforeStartingAnything() {
        assertThatThrownBy(() -> new ProcessDepmod().run(SystemRoot.at(root), "--help"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Runs the real depmod (kmod, installed by .ci/install-deps): a tree of many bogus modules makes it warn a lot. */
    @Test
    void manyWarningsDoNotBlockIt() throws IOException {
        Path sbin = Path.of("/usr/sbin/depmod");
        Path bin = Path.of("/usr/bin/depmod");
        assertThat(Files.isExecutable(sbin) || Files.isExecutable(bin))
                .as("depmod is installed (apt-get install kmod)").isTrue();
        String k = "6.1.0-56-amd64";
        Path mods = Files.createDirectories(root.resolve("lib/modules/" + k + "/kernel"));
        for (int i = 0; i < 1500; i++) {
            Files.writeString(mods.resolve("bogus-module-with-a-long-name-" + i + ".ko"), "not an ELF file");
        }
        try {
            new ProcessDepmod().run(SystemRoot.at(root), k);
        } catch (IOException e) {
            assertThat(e.getMessage()).startsWith("depmod exited with");
        }
        assertThat(root.resolve("lib/modules/" + k + "/modules.dep")).exists();
    }
}
