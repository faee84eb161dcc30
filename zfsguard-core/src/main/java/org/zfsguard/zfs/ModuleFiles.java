package org.zfsguard.zfs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.zfsguard.io.DecoderUnavailableException;
import org.zfsguard.io.ZstdDecoder;

/**
 * Opens kernel module files the way the kernel's own tree stores them:
 * {@code .ko}, or compressed as {@code .ko.xz}, {@code .ko.zst}, {@code .ko.gz}.
 */
public final class ModuleFiles {
    /** Module file suffixes in the order depmod prefers them. */
    public static final List<String> SUFFIXES = List.of(".ko", ".ko.xz", ".ko.zst", ".ko.gz");
    /** zfs.ko with debug info is tens of MiB; anything far larger is not a module. */
    static final long MAX_MODULE_BYTES = 256L << 20;
    /** Decoder memory for .ko.xz, in KiB: kmod and the kernel's build use a 1 MiB dictionary. */
    static final int XZ_MEMORY_LIMIT_KIB = 16 << 10;

    private ModuleFiles() {
    }

    /** The module name of a file name ({@code zfs} for {@code zfs.ko.zst}), or null if it is not a module file. */
    public static String moduleName(String fileName) {
        for (String s : SUFFIXES) {
            if (fileName.endsWith(s) && fileName.length() > s.length()) {
                return fileName.substring(0, fileName.length() - s.length());
            }
        }
        return null;
    }

    /** Reads the module at {@code hostFile}, which must be a regular file (a final symlink is not followed). */
    public static ModuleInfo read(Path hostFile) throws ModuleReadException {
        if (!Files.isRegularFile(hostFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new ModuleReadException("not a regular file");
        }
        String name = hostFile.getFileName().toString();
        try {
            if (name.endsWith(".ko")) {
                try (FileChannel ch = FileChannel.open(hostFile, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                    long size = ch.size();
                    if (size > MAX_MODULE_BYTES) {
                        throw new ModuleReadException("too large for a module (" + size + " bytes)");
                    }
                    ByteBuffer map = size == 0 ? ByteBuffer.allocate(0) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
                    return ElfModinfoReader.read(map);
                }
            }
            try (InputStream in = Files.newInputStream(hostFile, LinkOption.NOFOLLOW_LINKS)) {
                return readCompressed(name, in);
            }
        } catch (IOException e) {
            throw new ModuleReadException("cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a module from a stream whose name tells its compression (used for files inside an
     * initramfs too), forward and once, in bounded memory whatever the module's size.
     */
    public static ModuleInfo readCompressed(String name, InputStream raw) throws ModuleReadException {
        String kind = compression(name);
        try {
            InputStream in = decompressed(kind, raw);
            return ElfModinfoReader.read(new StreamedModuleBytes(in, MAX_MODULE_BYTES));
        } catch (DecoderUnavailableException e) {
            throw e;
        } catch (ModuleReadException e) {
            if (e.getCause() != null && kind != null) {
                throw new ModuleReadException("not a valid " + kind + " stream (" + describe(e.getCause()) + ")", e);
            }
            throw e;
        } catch (IOException | RuntimeException e) {
            // Decoders throw their own runtime exceptions on garbage; all mean the same here.
            throw new ModuleReadException(kind == null ? "cannot read: " + e.getMessage()
                    : "not a valid " + kind + " stream (" + describe(e) + ")", e);
        } catch (LinkageError e) {
            throw new DecoderUnavailableException(kind, e);
        }
    }

    /**
     * The sha256 of the module's ELF bytes, decompressed: two builds of one version and
     * srcversion are still different files, and a {@code .ko.zst} on disk equals the
     * {@code .ko} update-initramfs packed from it. Bounded like {@link #read}.
     */
    public static String contentSha256(Path hostFile) throws ModuleReadException {
        if (!Files.isRegularFile(hostFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new ModuleReadException("not a regular file");
        }
        try (InputStream in = Files.newInputStream(hostFile, LinkOption.NOFOLLOW_LINKS)) {
            return contentSha256(hostFile.getFileName().toString(), in);
        } catch (IOException e) {
            throw new ModuleReadException("cannot read: " + e.getMessage(), e);
        }
    }

    /** {@link #contentSha256(Path)} of a stream whose name tells its compression. */
    public static String contentSha256(String name, InputStream raw) throws ModuleReadException {
        String kind = compression(name);
        try {
            InputStream in = decompressed(kind, raw);
            java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            long total = 0;
            for (int r; (r = in.read(buf)) > 0;) {
                total += r;
                if (total > MAX_MODULE_BYTES) {
                    throw new ModuleReadException("too large for a module (more than " + MAX_MODULE_BYTES + " bytes)");
                }
                d.update(buf, 0, r);
            }
            return java.util.HexFormat.of().formatHex(d.digest());
        } catch (DecoderUnavailableException | ModuleReadException e) {
            throw e;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        } catch (IOException | RuntimeException e) {
            throw new ModuleReadException(kind == null ? "cannot read: " + e.getMessage()
                    : "not a valid " + kind + " stream (" + describe(e) + ")", e);
        } catch (LinkageError e) {
            throw new DecoderUnavailableException(kind, e);
        }
    }

    /** The compression a module file's name tells ({@code xz}, {@code zstd}, {@code gzip}), or null. */
    private static String compression(String name) {
        return name.endsWith(".xz") ? "xz" : name.endsWith(".zst") ? "zstd" : name.endsWith(".gz") ? "gzip" : null;
    }

    private static InputStream decompressed(String kind, InputStream raw) throws IOException {
        return kind == null ? raw : switch (kind) {
            // kmod writes .ko.xz with a 1 MiB dictionary; more is not a module and would cost heap
            case "xz" -> new XZCompressorInputStream(raw, false, XZ_MEMORY_LIMIT_KIB);
            case "zstd" -> ZstdDecoder.open(raw);
            default -> new GzipCompressorInputStream(raw);
        };
    }

    private static String describe(Throwable e) {
        if (e.getClass().getSimpleName().equals("MemoryLimitException")) {
            return "needs more than " + (XZ_MEMORY_LIMIT_KIB >> 10) + " MiB to decode: not a module";
        }
        return e.getClass().getSimpleName();
    }
}
