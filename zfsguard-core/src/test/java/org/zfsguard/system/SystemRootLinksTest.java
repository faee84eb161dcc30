package org.zfsguard.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemRootLinksTest {
    @TempDir
    Path dir;

    @Test
    void absoluteLinksOnTheWayStayInsideTheRoot() throws IOException {
        Path r = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(r.resolve("usr/lib/modules"));
        Files.createSymbolicLink(r.resolve("lib"), Path.of("/usr/lib"));
        SystemRoot root = SystemRoot.at(r);
        assertThat(root.resolveParents("/lib/modules/k")).isEqualTo(r.resolve("usr/lib/modules/k"));
        assertThat(root.targetName(root.resolveParents("/lib/modules"))).isEqualTo("/usr/lib/modules");
    }

    @Test
    void dotDotInALinkIsClampedAtTheRoot() throws IOException {
        Path r = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(r.resolve("var"));
        Files.createSymbolicLink(r.resolve("var/lib"), Path.of("../../../../etc"));
        SystemRoot root = SystemRoot.at(r);
        assertThat(root.resolveParents("/var/lib/zfsguard")).isEqualTo(r.resolve("etc/zfsguard"));
    }

    @Test
    void theLastComponentIsNotFollowedUnlessAsked() throws IOException {
        Path r = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(r.resolve("boot/dtb-1"));
        Files.createSymbolicLink(r.resolve("boot/dtb"), Path.of("dtb-1"));
        SystemRoot root = SystemRoot.at(r);
        assertThat(root.resolveParents("/boot/dtb")).isEqualTo(r.resolve("boot/dtb"));
        assertThat(root.resolveAll("/boot/dtb")).isEqualTo(r.resolve("boot/dtb-1"));
    }

    @Test
    void loopsAreReported() throws IOException {
        Path r = Files.createDirectories(dir.resolve("root"));
        Files.createSymbolicLink(r.resolve("a"), Path.of("/b"));
        Files.createSymbolicLink(r.resolve("b"), Path.of("/a"));
        assertThatThrownBy(() -> SystemRoot.at(r).resolveParents("/a/x")).isInstanceOf(FileSystemLoopException.class);
    }

    @Test
    void relativePathsAndNulAreRejected() throws IOException {
        SystemRoot root = SystemRoot.at(dir);
        assertThatThrownBy(() -> root.resolveParents("lib")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> root.resolveParents("/lib\0x")).isInstanceOf(IllegalArgumentException.class);
    }
}
