package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * piuparts, Debian's own installation test: install, remove and purge the built package in a
 * clean Debian 12 amd64 and find nothing left behind, no failing maintainer script and no
 * dependency that apt cannot resolve from Debian's archive. Needs root and the archive; the
 * chroot starts from the suites' cached base (piuparts' --existing-chroot copies it).
 */
class PiupartsIT extends ChrootSuite {

    @Test
    void installRemoveAndPurgeOnBookwormAreClean() throws IOException {
        HostRequirements.requireTools("piuparts", "tar");
        Path base = Chroot.baseTarball(Chroot.bookwormRecipe("amd64"));
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "zfsguard-piuparts-");
        try {
            Path root = Files.createDirectory(work.resolve("root"));
            Exec.host(Duration.ofMinutes(10), "tar", "--numeric-owner", "-xpf", base.toString(), "-C", root.toString())
                    .orFail();
            Path log = work.resolve("piuparts.log");
            Exec.Result r = Exec.run(List.of("piuparts", "--existing-chroot", root.toString(),
                            "--distribution", "bookworm", "--mirror", Chroot.MIRROR,
                            "--tmpdir", work.toString(), "--no-upgrade-test",
                            "--log-file", log.toString(), pkg.deb().toString()),
                    Exec.baseEnvironment(), Duration.ofMinutes(40), work.resolve("scratch"));
            String text = Files.isRegularFile(log) ? Files.readString(log) : "(no log)";
            assertThat(r.exitCode()).as(tail(text)).isZero();
            assertThat(text).as(tail(text)).contains("PASS: All tests.").doesNotContain("FAIL:");
            System.out.println("piuparts on " + pkg.deb().getFileName() + ": " + text.lines()
                    .filter(l -> l.contains("PASS") || l.contains("WARN")).toList());
        } finally {
            Exec.Result rm = Exec.host(Duration.ofMinutes(10), "rm", "-rf", "--one-file-system", work.toString());
            if (!rm.ok()) {
                throw new UncheckedIOException(new IOException("cannot remove " + work + ": " + rm.describe()));
            }
        }
    }

    private static String tail(String log) {
        List<String> lines = log.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }
}
