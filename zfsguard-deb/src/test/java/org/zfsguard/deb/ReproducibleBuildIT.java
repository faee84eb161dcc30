package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Building the same sources twice gives a byte-identical .deb: the second build
 * runs from a copy of the tree in another directory, at another time.
 */
class ReproducibleBuildIT {

    private static final List<String> TREE = List.of("pom.xml", "zfsguard-core", "zfsguard-cli", "zfsguard-deb",
            "debian-resources");

    @Test
    void secondBuildOfTheSameSourcesIsByteIdentical(@TempDir Path copy) throws Exception {
        Path deb = Path.of(System.getProperty("zfsguard.deb"));
        Path source = Path.of(System.getProperty("zfsguard.sourceRoot")).toRealPath();
        for (String top : TREE) {
            copyTree(source.resolve(top), copy.resolve(top));
        }

        Path log = copy.resolve("build.log");
        Process p = new ProcessBuilder("mvn", "-B", "-o", "-q", "package", "-DskipTests", "-DskipChroot=true")
                .directory(copy.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        assertThat(p.waitFor(15, TimeUnit.MINUTES)).as("second build finished").isTrue();
        assertThat(p.exitValue()).as("second build exit code; log:%n%s", Files.readString(log)).isZero();

        Path again = copy.resolve("zfsguard-deb/target").resolve(deb.getFileName());
        assertThat(sha256(again)).as("sha256 of %s vs %s", again, deb).isEqualTo(sha256(deb));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.getFileName().toString().equals("target")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
