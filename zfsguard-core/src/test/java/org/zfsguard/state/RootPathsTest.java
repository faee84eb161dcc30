package org.zfsguard.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.system.SystemRoot;

class RootPathsTest {
    @TempDir
    Path dir;

    @Test
    void absoluteLinksOnTheWayStayInsideTheRoot() throws IOException {
        Path r = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(r.resolve("usr/lib/modules"));
        Files.createSymbolicLink(r.resolve("lib"), Path.of("/usr/lib"));
        SystemRoot root = SystemRoot.at(r);
        assertThat(RootPaths.resolveParents(root, "/lib/modules/k")).isEqualTo(r.resolve("usr/lib/modules/k"));
        assertThat(RootPaths.canonicalParents(root, "/lib/modules")).isEqualTo("/usr/lib/modules");
    }

    @Test
    void dotDotInALinkIsClampedAtTheRoot() throws IOException {
        Path r = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(r.resolve("var"));
        Files.createSymbolicLink(r.resolve("var/lib"), Path.of("../../../../etc"));
        SystemRoot root = SystemRoot.at(r);
        assertThat(RootPaths.resolveParents(root, "/var/lib/zfsguard")).isEqualTo(r.resolve("etc/zfsguard"));
    }

    @Test
    void theLastComponentIsNotFollowedUnlessAsked() throws IOException {
        Path r = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(r.resolve("boot/dtb-1"));
        Files.createSymbolicLink(r.resolve("boot/dtb"), Path.of("dtb-1"));
        SystemRoot root = SystemRoot.at(r);
        assertThat(RootPaths.resolveParents(root, "/boot/dtb")).isEqualTo(r.resolve("boot/dtb"));
        assertThat(RootPaths.resolveAll(root, "/boot/dtb")).isEqualTo(r.resolve("boot/dtb-1"));
    }

    @Test
    void loopsAreReported() throws IOException {
        Path r = Files.createDirectories(dir.resolve("root"));
        Files.createSymbolicLink(r.resolve("a"), Path.of("/b"));
        Files.createSymbolicLink(r.resolve("b"), Path.of("/a"));
        assertThatThrownBy(() -> RootPaths.resolveParents(SystemRoot.at(r), "/a/x")).isInstanceOf(FileSystemLoopException.class);
    }

    @Test
    void relativePathsAndNulAreRejected() throws IOException {
        SystemRoot root = SystemRoot.at(dir);
        assertThatThrownBy(() -> RootPaths.resolveParents(root, "lib")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RootPaths.resolveParents(root, "/lib\0x")).isInstanceOf(IllegalArgumentException.class);
    }
}
