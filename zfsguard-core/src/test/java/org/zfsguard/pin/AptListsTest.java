package org.zfsguard.pin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.deb.ControlFields;
import org.zfsguard.system.SystemRoot;

class AptListsTest {
    @TempDir
    Path root;

    @Test
    void aFileSourceLinkIsFollowedInsideTheRootNotOnTheHost() throws IOException {
        // apt 2.6 links the index of "deb file:/root/repo ./" as lists/_root_repo_._Packages -> /root/repo/./Packages
        Path repo = Files.createDirectories(root.resolve("root/repo"));
        try (InputStream in = AptListsTest.class.getResourceAsStream("/pin/armbian-bookworm-rockchip64.Packages")) {
            Files.copy(in, repo.resolve("Packages"));
        }
        Path lists = Files.createDirectories(root.resolve("var/lib/apt/lists"));
        Files.createSymbolicLink(lists.resolve("_root_repo_._Packages"), Path.of("/root/repo/./Packages"));
        List<String> problems = new ArrayList<>();
        KernelPackageIndex idx = AptLists.read(SystemRoot.at(root), problems);
        assertThat(problems).isEmpty();
        assertThat(idx.stanzas()).extracting(ControlFields::version).containsExactly("25.8.1", "26.2.1", "26.2.1", "26.2.1");
    }

    @Test
    void compressedListsAreRead() throws IOException {
        Path lists = Files.createDirectories(root.resolve("var/lib/apt/lists"));
        byte[] text;
        try (InputStream in = AptListsTest.class.getResourceAsStream("/pin/ubuntu-noble-updates.Packages")) {
            text = in.readAllBytes();
        }
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(lists.resolve("a_Packages.gz")))) {
            out.write(text);
        }
        try (var out = new org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream(
                Files.newOutputStream(lists.resolve("b_Packages.lz4")))) {
            out.write(text);
        }
        Files.write(lists.resolve("c_Translation-en"), text);
        KernelPackageIndex idx = AptLists.read(SystemRoot.at(root), new ArrayList<>());
        assertThat(idx.versionsOf("linux-generic")).hasSize(2);
    }
}
