package org.zfsguard.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.airlift.compress.zstd.ZstdOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.zfsguard.testing.ModuleFixtures.Arch;
import org.zfsguard.testing.ModuleFixtures.Compression;

/**
 * Writes a fake-but-real system tree into a directory: kernels the way their
 * packages install them, ZFS modules that are real ELF objects, a DKMS tree,
 * OpenZFS META files, dpkg file lists, boot links and initramfs images.
 */
public final class FixtureSystem {
    public enum InitrdCompression {
        GZIP, XZ, ZSTD, LZ4, NONE
    }

    private final Path root;
    private Arch arch = Arch.AARCH64;

    public FixtureSystem(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public FixtureSystem arch(Arch a) {
        this.arch = a;
        return this;
    }

    public Path path(String absolute) {
        return root.resolve(absolute.substring(1));
    }

    public FixtureSystem write(String absolute, byte[] content) {
        try {
            Path p = path(absolute);
            Files.createDirectories(p.getParent());
            Files.write(p, content);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public FixtureSystem write(String absolute, String content) {
        return write(absolute, content.getBytes(StandardCharsets.UTF_8));
    }

    public FixtureSystem mkdir(String absolute) {
        try {
            Files.createDirectories(path(absolute));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public FixtureSystem symlink(String absolute, String target) {
        try {
            Path p = path(absolute);
            Files.createDirectories(p.getParent());
            Files.deleteIfExists(p);
            Files.createSymbolicLink(p, Path.of(target));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A kernel as linux-image installs it: module tree with modules.dep and kernel/, image, config; and its dpkg list. */
    public FixtureSystem kernel(String k, String pkg) {
        write("/lib/modules/" + k + "/modules.dep", "kernel/fs/ext4/ext4.ko: kernel/fs/jbd2/jbd2.ko\n");
        write("/lib/modules/" + k + "/modules.order", "kernel/fs/ext4/ext4.ko\n");
        mkdir("/lib/modules/" + k + "/kernel/fs/ext4");
        write("/boot/vmlinuz-" + k, "kernel image " + k);
        write("/boot/config-" + k, "CONFIG_ZFS=n\n");
        if (pkg != null) {
            String list = String.join("\n", "/.", "/boot", "/boot/config-" + k, "/boot/vmlinuz-" + k, "/lib",
                    "/lib/modules", "/lib/modules/" + k, "/lib/modules/" + k + "/kernel", "");
            appendList(pkg, list);
        }
        return this;
    }

    public FixtureSystem appendList(String pkg, String content) {
        try {
            Path p = path("/var/lib/dpkg/info/" + pkg + ".list");
            Files.createDirectories(p.getParent());
            String old = Files.exists(p) ? Files.readString(p) : "";
            Files.writeString(p, old + content);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public FixtureSystem packageInstalled(String pkg) {
        return appendList(pkg, "/.\n");
    }

    public static byte[] module(Arch arch, String name, String version, String builtFor) {
        return ModuleFixtures.module(arch, ModuleFixtures.zfsModinfo(name, version, builtFor));
    }

    /** ZFS modules ({@code zfs}, {@code spl}, or the nine of 2.1) under {@code /lib/modules/<k>/<dir>}. */
    public FixtureSystem zfsModules(String k, String dir, String version, String builtFor, Compression c, List<String> names) {
        for (String n : names) {
            write("/lib/modules/" + k + "/" + dir + "/" + n + c.suffix, c.apply(module(arch, n, version, builtFor)));
        }
        return this;
    }

    public FixtureSystem dkmsZfs(String k, String version) {
        return zfsModules(k, "updates/dkms", version, k, Compression.NONE, List.of("zfs", "spl"));
    }

    /** DKMS tree: added version with source link, built module for {@code k}, installed link. */
    public FixtureSystem dkmsTree(String version, String k, String machine, boolean installed) {
        symlink("/var/lib/dkms/zfs/" + version + "/source", "/usr/src/zfs-" + version);
        write("/var/lib/dkms/zfs/" + version + "/" + k + "/" + machine + "/module/zfs.ko", module(arch, "zfs", version, k));
        write("/var/lib/dkms/zfs/" + version + "/" + k + "/" + machine + "/module/spl.ko", module(arch, "spl", version, k));
        write("/var/lib/dkms/zfs/" + version + "/" + k + "/" + machine + "/log/make.log", "make ok\n");
        if (installed) {
            symlink("/var/lib/dkms/zfs/kernel-" + k + "-" + machine, version + "/" + k + "/" + machine);
        }
        return this;
    }

    public FixtureSystem meta(String version, String release, String min, String max) {
        return write("/usr/src/zfs-" + version + "/META", "Meta:          1\nName:          zfs\nBranch:        1.0\n"
                + "Version:       " + version + "\nRelease:       " + release + "\nRelease-Tags:  relext\n"
                + "License:       CDDL\nAuthor:        OpenZFS\nLinux-Maximum: " + max + "\nLinux-Minimum: " + min + "\n");
    }

    /** Debian/Armbian initramfs: optional early microcode cpio, then a compressed main cpio. */
    public FixtureSystem initrd(String file, String k, InitrdCompression c, boolean early, String zfsVersion, String zfsBuiltFor) {
        return write(file, initrdBytes(arch, k, c, early, zfsVersion, zfsBuiltFor));
    }

    /** Armbian's uInitrd: 64-byte U-Boot legacy header, then the initrd. */
    public FixtureSystem uInitrd(String file, byte[] initrd) {
        ByteBuffer h = ByteBuffer.allocate(64 + initrd.length);
        h.putInt(0x27051956).putInt(0).putInt(0).putInt(initrd.length).putInt(0).putInt(0).putInt(0);
        h.put((byte) 5).put((byte) 22).put((byte) 3).put((byte) 1);
        h.put("uInitrd".getBytes(StandardCharsets.US_ASCII));
        h.position(64);
        h.put(initrd);
        return write(file, h.array());
    }

    public static byte[] initrdBytes(Arch arch, String k, InitrdCompression c, boolean early, String zfsVersion, String zfsBuiltFor) {
        Map<String, byte[]> main = new LinkedHashMap<>();
        main.put("init", "#!/bin/sh\n".getBytes(StandardCharsets.US_ASCII));
        main.put("usr/lib/modules/" + k + "/kernel/fs/ext4/ext4.ko", "not really".getBytes(StandardCharsets.US_ASCII));
        if (zfsVersion != null) {
            main.put("usr/lib/modules/" + k + "/updates/dkms/spl.ko", module(arch, "spl", zfsVersion, zfsBuiltFor));
            main.put("usr/lib/modules/" + k + "/updates/dkms/zfs.ko", module(arch, "zfs", zfsVersion, zfsBuiltFor));
        }
        main.put("scripts/zfs", "# zfs boot script\n".getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (early) {
                out.write(cpio(Map.of("kernel/x86/microcode/GenuineIntel.bin", new byte[300])));
                while (out.size() % 512 != 0) {
                    out.write(0);
                }
            }
            byte[] archive = cpio(main);
            if (c == InitrdCompression.LZ4) {
                out.write(lz4Legacy(archive));
                return out.toByteArray();
            }
            try (OutputStream z = switch (c) {
                case GZIP -> new GzipCompressorOutputStream(nonClosing(out));
                case XZ -> new XZCompressorOutputStream(nonClosing(out));
                case ZSTD -> new ZstdOutputStream(nonClosing(out));
                case NONE, LZ4 -> nonClosing(out);
            }) {
                z.write(archive);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The kernel's legacy lz4 framing, as initramfs-tools writes it with {@code lz4 -l}. */
    static byte[] lz4Legacy(byte[] data) throws IOException {
        Path in = Files.createTempFile("initrd", ".cpio");
        Path out = Files.createTempFile("initrd", ".lz4");
        try {
            Files.write(in, data);
            Process p = new ProcessBuilder("lz4", "-l", "-f", "-q", in.toString(), out.toString()).redirectErrorStream(true).start();
            String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException("lz4 -l failed: " + msg);
            }
            return Files.readAllBytes(out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
        }
    }

    static byte[] cpio(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(bytes, CpioConstants.FORMAT_NEW, 4)) {
            List<String> dirs = new ArrayList<>();
            for (String name : files.keySet()) {
                String[] parts = name.split("/");
                String acc = "";
                for (int i = 0; i < parts.length - 1; i++) {
                    acc = acc.isEmpty() ? parts[i] : acc + "/" + parts[i];
                    if (!dirs.contains(acc)) {
                        dirs.add(acc);
                        CpioArchiveEntry d = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, acc);
                        d.setMode(CpioConstants.C_ISDIR | 0755);
                        cpio.putArchiveEntry(d);
                        cpio.closeArchiveEntry();
                    }
                }
                byte[] data = files.get(name);
                CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name, data.length);
                e.setMode(CpioConstants.C_ISREG | 0644);
                cpio.putArchiveEntry(e);
                cpio.write(data);
                cpio.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    /** The Armbian layout: Image -> vmlinuz-k, uInitrd -> uInitrd-k. */
    public FixtureSystem armbianBootLinks(String k) {
        symlink("/boot/Image", "vmlinuz-" + k);
        return symlink("/boot/uInitrd", "uInitrd-" + k);
    }
}
