package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Builds .deb files for tests: real ones with dpkg-deb, hostile ones byte by byte. */
public final class DebFixtures {
    static final String KERNEL = "6.12.58-current-rockchip64";

    public static final String META_2_4_0 = """
            Meta:          1
            Name:          zfs
            Branch:        1.0
            Version:       2.4.0
            Release:       1
            Release-Tags:  relext
            License:       CDDL
            Author:        OpenZFS
            Linux-Maximum: 6.18
            Linux-Minimum: 4.18
            """;

    private DebFixtures() {
    }

    /** A package tree: control fields, files (path -> content) and symlinks (path -> target). */
    public static final class Tree {
        final Map<String, String> control = new LinkedHashMap<>();
        final Map<String, String> files = new LinkedHashMap<>();
        final Map<String, String> links = new LinkedHashMap<>();

        public Tree field(String k, String v) {
            control.put(k, v);
            return this;
        }

        public Tree file(String path, String content) {
            files.put(path, content);
            return this;
        }

        Tree link(String path, String target) {
            links.put(path, target);
            return this;
        }

        /** Builds with {@code dpkg-deb --build -Z<compression>}. */
        public Path build(Path dir, String compression) throws IOException, InterruptedException {
            Path root = Files.createTempDirectory(dir, "tree");
            Path debian = Files.createDirectories(root.resolve("DEBIAN"));
            StringBuilder c = new StringBuilder();
            control.forEach((k, v) -> c.append(k).append(": ").append(v).append('\n'));
            Files.writeString(debian.resolve("control"), c);
            for (Map.Entry<String, String> f : files.entrySet()) {
                Path p = root.resolve(f.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue());
            }
            for (Map.Entry<String, String> l : links.entrySet()) {
                Path p = root.resolve(l.getKey());
                Files.createDirectories(p.getParent());
                Files.createSymbolicLink(p, Path.of(l.getValue()));
            }
            Path deb = dir.resolve(control.get("Package") + "-" + compression + ".deb");
            run("dpkg-deb", "--root-owner-group", "-Z" + compression, "--build", root.toString(), deb.toString());
            return deb;
        }
    }

    static Tree armbianKernel() {
        return new Tree()
                .field("Package", "linux-image-current-rockchip64")
                .field("Version", "25.11.2")
                .field("Architecture", "arm64")
                .field("Maintainer", "Test <test@example.org>")
                .field("Source", "linux-6.12.58")
                .field("Armbian-Kernel-Version", KERNEL)
                .field("Description", "Armbian kernel stand-in\n multi-line description")
                .file("boot/vmlinuz-" + KERNEL, "kernel image")
                .file("boot/config-" + KERNEL, "CONFIG_X=y\n")
                .file("lib/modules/" + KERNEL + "/kernel/fs/ext4/ext4.ko", "module")
                .file("lib/modules/" + KERNEL + "/modules.order", "")
                .file("usr/lib/linux-image-" + KERNEL + "/rockchip/rk3399-rockpro64.dtb", "dtb")
                .file("usr/share/doc/linux-image-current-rockchip64/changelog.gz", "x")
                .file("var/lib/armbian/marker", "after usr/src");
    }

    public static Tree zfsDkms() {
        return new Tree()
                .field("Package", "zfs-dkms")
                .field("Version", "2.4.0-1")
                .field("Architecture", "all")
                .field("Maintainer", "Test <test@example.org>")
                .field("Source", "zfs-linux")
                .field("Description", "OpenZFS stand-in")
                .file("usr/src/zfs-2.4.0/META", META_2_4_0)
                .file("usr/src/zfs-2.4.0/dkms.conf", "PACKAGE_NAME=zfs\n")
                .file("usr/src/zfs-2.4.0/module/zfs/arc.c", "/* */\n")
                // longer than tar's 100-byte name field: a GNU long-name or PAX record in the archive
                .file("usr/src/zfs-2.4.0/module/os/linux/zfs/" + "very-long-directory-name/".repeat(4) + "zpl_file_range.c", "\n");
    }

    static Tree armbianHeaders() {
        return new Tree()
                .field("Package", "linux-headers-current-rockchip64")
                .field("Version", "25.11.2")
                .field("Architecture", "arm64")
                .field("Maintainer", "Test <test@example.org>")
                .field("Description", "headers stand-in")
                .file("usr/src/linux-headers-" + KERNEL + "/Makefile", "all:\n")
                .file("usr/src/linux-headers-" + KERNEL + "/include/generated/utsrelease.h",
                        "#define UTS_RELEASE \"" + KERNEL + "\"\n")
                .link("lib/modules/" + KERNEL + "/build", "/usr/src/linux-headers-" + KERNEL);
    }

    static String field(Path deb, String name) throws IOException, InterruptedException {
        return run("dpkg-deb", "--field", deb.toString(), name).strip();
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + text).isZero();
        return text;
    }

    // ---- hand-built archives ----

    /** An ar archive in the format dpkg writes. */
    static byte[] ar(List<Map.Entry<String, byte[]>> members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("!<arch>\n".getBytes(StandardCharsets.US_ASCII));
        for (Map.Entry<String, byte[]> m : members) {
            String header = String.format("%-16s%-12s%-6s%-6s%-8s%-10d`\n", m.getKey(), "0", "0", "0", "100644",
                    m.getValue().length);
            out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(m.getValue());
            if (m.getValue().length % 2 == 1) {
                out.write('\n');
            }
        }
        return out.toByteArray();
    }

    static byte[] deb(byte[] controlTar, String dataName, byte[] data) {
        List<Map.Entry<String, byte[]>> members = new ArrayList<>();
        members.add(Map.entry("debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII)));
        members.add(Map.entry("control.tar", controlTar));
        members.add(Map.entry(dataName, data));
        return ar(members);
    }

    static byte[] controlTar(String control) throws IOException {
        return tar(t -> addFile(t, "./control", control.getBytes(StandardCharsets.UTF_8)));
    }

    static final String CONTROL = "Package: zfs-dkms\nVersion: 2.4.0-1\nArchitecture: all\n";

    interface TarWriter {
        void write(TarArchiveOutputStream t) throws IOException;
    }

    static byte[] tar(TarWriter w) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            w.write(t);
        }
        return out.toByteArray();
    }

    static void addFile(TarArchiveOutputStream t, String name, byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(content.length);
        t.putArchiveEntry(e);
        t.write(content);
        t.closeArchiveEntry();
    }

    static void addSymlink(TarArchiveOutputStream t, String name, String target) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
        e.setLinkName(target);
        t.putArchiveEntry(e);
        t.closeArchiveEntry();
    }

    static byte[] write(Path file, byte[] bytes) throws IOException {
        try (OutputStream o = Files.newOutputStream(file)) {
            o.write(bytes);
        }
        return bytes;
    }
}
