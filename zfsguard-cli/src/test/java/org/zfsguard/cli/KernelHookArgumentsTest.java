package org.zfsguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run-parts calls the kernel hooks with the release and the image path: $1 is the kernel, $2 is ignored. */
class KernelHookArgumentsTest {
    static final String K = "6.12.58-current-rockchip64";

    @TempDir
    Path root;

    @AfterEach
    void reset() {
        GlobalOptions.reset();
    }

    @Test
    void postinstTakesTheReleaseFromTheFirstArgumentAndIgnoresTheImagePath() throws Exception {
        Files.createDirectories(root.resolve("var/lib/zfsguard"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"--root", root.toString(), "hook", "kernel-postinst", K, "/boot/vmlinuz-" + K},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).as(err.toString()).isZero();
        assertThat(err.toString()).doesNotContain("not a kernel release").doesNotContain("Missing required parameter");
        assertThat(Files.readString(root.resolve("var/lib/zfsguard/pending.json"))).contains(K);
    }

    @Test
    void prermWithOnlyTheReleaseIsAcceptedToo() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"--root", root.toString(), "hook", "kernel-prerm", K},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).as(err.toString()).isZero();
        assertThat(err.toString()).doesNotContain("Missing required parameter");
    }
}
