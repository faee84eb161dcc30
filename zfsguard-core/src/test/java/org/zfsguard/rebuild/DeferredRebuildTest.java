package org.zfsguard.rebuild;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.system.SystemRoot;

class DeferredRebuildTest {
    @TempDir
    Path dir;

    @Test
    void withSystemdItStartsOneTransientUnitAndSaysHowToFollowIt() {
        List<List<String>> started = new ArrayList<>();
        List<String> lines = DeferredRebuild.start(SystemRoot.host(), dir, argv -> {
            started.add(argv);
            return 0;
        });
        assertThat(started).containsExactly(DeferredRebuild.command());
        assertThat(DeferredRebuild.command()).startsWith("systemd-run", "--unit=zfsguard-rebuild")
                .endsWith("/usr/bin/zfsguard", "rebuild", "--wait-for-dpkg", "1800", "--all", "--yes");
        assertThat(String.join("\n", lines)).contains("journalctl -u zfsguard-rebuild");
    }

    @Test
    void withoutSystemdOrInAnotherRootNothingStartsAndTheCommandIsNamed() {
        DeferredRebuild.Starter never = argv -> {
            throw new AssertionError("started " + argv);
        };
        assertThat(DeferredRebuild.start(SystemRoot.host(), dir.resolve("no-systemd"), never))
                .anySatisfy(l -> assertThat(l).contains("next: sudo zfsguard rebuild"));
        assertThat(DeferredRebuild.start(SystemRoot.at(dir), dir, never))
                .anySatisfy(l -> assertThat(l).contains("systemd is not running here"));
    }

    @Test
    void aFailureToStartIsReportedWithTheCommand() {
        assertThat(DeferredRebuild.start(SystemRoot.host(), dir, argv -> 1))
                .anySatisfy(l -> assertThat(l).contains("exited 1"));
        assertThat(DeferredRebuild.start(SystemRoot.host(), dir, argv -> {
            throw new IOException("no systemd-run");
        })).anySatisfy(l -> assertThat(l).contains("no systemd-run"));
    }
}
