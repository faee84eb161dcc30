package org.zfsguard.apt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command lines of the shipped /etc/apt/apt.conf.d/80zfsguard, run with sh as apt runs
 * them: the hook's exit status reaches apt unchanged (10 is the preflight gate's refusal), and
 * a hook removed with the package leaves apt working.
 */
class AptConfLineTest {

    static final Path APT_CONF = Path.of("..", "debian-resources", "etc", "apt.conf").toAbsolutePath();
    static final String HOOK = "/usr/lib/zfsguard/apt-pre-install";

    @TempDir
    Path dir;

    static String value(String key) throws IOException {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(key) + " \\{ \"(.*)\"; \\};$").matcher(Files.readString(APT_CONF));
        assertThat(m.find()).as(key + " in " + APT_CONF).isTrue();
        return m.group(1);
    }

    @Test
    void theFirstWordIsTheHookWhoseProtocolVersionIsSet() throws IOException {
        assertThat(value("DPkg::Pre-Install-Pkgs")).startsWith(HOOK + " ");
        assertThat(Files.readString(APT_CONF)).contains("DPkg::Tools::Options::" + HOOK + "::Version \"3\";");
    }

    @Test
    void theGateRefusalReachesAptAsTen() throws Exception {
        assertThat(runPreInstall("#!/bin/sh\ncat >/dev/null\nexit 10\n")).isEqualTo(10);
        assertThat(runPreInstall("#!/bin/sh\ncat >/dev/null\nexit 0\n")).isZero();
    }

    @Test
    void aRemovedHookDrainsTheListAndSucceeds() throws Exception {
        assertThat(runPreInstall(null)).isZero();
    }

    @Test
    void postInvokeDoesNothingOnceTheHookIsGone() throws Exception {
        String line = value("DPkg::Post-Invoke").replace("/usr/lib/zfsguard/post-invoke", dir.resolve("missing").toString());
        Process p = new ProcessBuilder(List.of("sh", "-c", line)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).as("nothing printed, no 'not found'").isEmpty();
    }

    /** Runs the Pre-Install-Pkgs line with the hook replaced by {@code script} (null: no hook) and a large stdin. */
    private int runPreInstall(String script) throws Exception {
        Path hook = dir.resolve("apt-pre-install");
        if (script != null) {
            Files.writeString(hook, script);
            Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        String line = value("DPkg::Pre-Install-Pkgs").replace(HOOK, hook.toString());
        Process p = new ProcessBuilder(List.of("sh", "-c", line)).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        // More than a pipe buffer: a line that did not drain it would block apt (and this write).
        try (OutputStream in = p.getOutputStream()) {
            in.write("VERSION 3\n".repeat(20_000).getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }
}
