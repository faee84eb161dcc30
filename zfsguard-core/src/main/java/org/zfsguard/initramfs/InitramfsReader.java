package org.zfsguard.initramfs;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.lzma.LZMACompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.zfsguard.io.DecoderUnavailableException;
import org.zfsguard.io.ZstdDecoder;
import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.zfs.ModuleFiles;
import org.zfsguard.zfs.ModuleReadException;

/**
 * Looks for zfs.ko in an initramfs the way the kernel unpacks it: zero or
 * more uncompressed cpio archives (early microcode), then one compressed
 * archive (gzip, xz, zstd, bzip2, lzma, legacy lz4), optionally behind Armbian's 64-byte
 * U-Boot legacy header ({@code uInitrd}). Stops as soon as the module of the
 * kernel asked about is found.
 */
public final class InitramfsReader {
    private static final int UIMAGE_MAGIC = 0x27051956;
    private static final int UIMAGE_HEADER = 64;
    private static final long MAX_ENTRY = 256L << 20;
    private static final int MAX_SEGMENTS = 64;
    /**
     * Decompressed bytes read at most: initramfs images with firmware reach a few hundred
     * MiB; a small file that unpacks to gigabytes is not read to its end.
     */
    static final long BYTE_BUDGET = 1L << 30;

    private InitramfsReader() {
    }

    public static InitramfsScan scan(Path hostFile, KernelRelease k) throws InitramfsReadException {
        if (!Files.isRegularFile(hostFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new InitramfsReadException("not a regular file");
        }
        try (InputStream raw = Files.newInputStream(hostFile, LinkOption.NOFOLLOW_LINKS)) {
            return scan(raw, k);
        } catch (DecoderUnavailableException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InitramfsReadException("cannot read: " + SystemRoot.printable(String.valueOf(e.getMessage())));
        }
    }

    public static InitramfsScan scan(InputStream raw, KernelRelease k) throws InitramfsReadException, IOException {
        return scan(raw, k, BYTE_BUDGET);
    }

    /**
     * The {@link ModuleFiles#contentSha256 content hash} of the zfs.ko packed for {@code k},
     * or empty when the image holds none for it.
     */
    public static java.util.Optional<String> zfsContentSha256(Path hostFile, KernelRelease k) throws InitramfsReadException {
        if (!Files.isRegularFile(hostFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new InitramfsReadException("not a regular file");
        }
        try (InputStream raw = Files.newInputStream(hostFile, LinkOption.NOFOLLOW_LINKS)) {
            Scanner s = new Scanner(k, BYTE_BUDGET);
            s.hash = true;
            read(s, raw);
            if (s.zfsProblem != null) {
                throw new InitramfsReadException(s.zfsProblem);
            }
            return java.util.Optional.ofNullable(s.zfsSha256);
        } catch (DecoderUnavailableException | InitramfsReadException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InitramfsReadException("cannot read: " + SystemRoot.printable(String.valueOf(e.getMessage())));
        }
    }

    static InitramfsScan scan(InputStream raw, KernelRelease k, long budget) throws InitramfsReadException, IOException {
        Scanner s = new Scanner(k, budget);
        List<String> format = read(s, raw);
        return new InitramfsScan(String.join("+", format), s.zfsPath, s.zfs, s.zfsProblem, s.others);
    }

    private static List<String> read(Scanner s, InputStream raw) throws InitramfsReadException, IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        byte[] head = peek(in, UIMAGE_HEADER);
        if (head.length == 0) {
            throw new InitramfsReadException("empty file (0 bytes)");
        }
        List<String> format = new ArrayList<>();
        if (head.length >= 4 && be32(head, 0) == UIMAGE_MAGIC) {
            if (head.length < UIMAGE_HEADER) {
                throw new InitramfsReadException("truncated U-Boot header");
            }
            in.skipNBytes(UIMAGE_HEADER);
            format.add("uImage");
        }
        s.segments(in, format, true);
        if (format.isEmpty() || format.equals(List.of("uImage"))) {
            throw new InitramfsReadException("no cpio archive found");
        }
        return format;
    }

    private static final class Scanner {
        final KernelRelease k;
        String zfsPath;
        org.zfsguard.zfs.ModuleInfo zfs;
        String zfsProblem;
        /** Hash zfs.ko's content instead of reading its modinfo. */
        boolean hash;
        String zfsSha256;
        final List<String> others = new ArrayList<>();

        final long budget;

        Scanner(KernelRelease k, long budget) {
            this.k = k;
            this.budget = budget;
        }

        boolean done() {
            return zfsPath != null;
        }

        void segments(BufferedInputStream in, List<String> format, boolean compressedAllowed)
                throws IOException, InitramfsReadException {
            for (int n = 0; n < MAX_SEGMENTS && !done(); n++) {
                skipZeros(in);
                byte[] m = peek(in, 6);
                if (m.length == 0) {
                    return;
                }
                if (m.length >= 6 && m[0] == '0' && m[1] == '7' && m[2] == '0' && m[3] == '7' && m[4] == '0'
                        && (m[5] == '1' || m[5] == '2')) {
                    format.add("cpio");
                    cpio(in);
                    continue;
                }
                String kind = compression(m);
                if (kind == null || !compressedAllowed) {
                    throw new InitramfsReadException("unknown data after " + (format.isEmpty() ? "start" : String.join("+", format))
                            + " (not cpio" + (compressedAllowed ? " or a supported compression" : "") + ")");
                }
                format.add(kind);
                InputStream d = new Budget(decompressor(kind, in), budget);
                try {
                    segments(new BufferedInputStream(d, 1 << 16), format, false);
                } catch (Budget.Exceeded e) {
                    throw new InitramfsReadException("unpacks to more than " + (budget >> 20) + " MiB before "
                            + (done() ? "the end" : "zfs.ko of " + k.text() + " was found") + ": not read further");
                } catch (DecoderUnavailableException e) {
                    throw e;
                } catch (IOException | RuntimeException e) {
                    // A decoder's complaint (a CRC error, a bad block) is about the image's bytes:
                    // the image cannot be read, which callers report as "cannot tell".
                    throw new InitramfsReadException("damaged " + kind + " data: "
                            + SystemRoot.printable(String.valueOf(e.getMessage())));
                }
                return; // the kernel allows more after it; mkinitramfs never writes any
            }
        }

        void cpio(InputStream in) throws IOException, InitramfsReadException {
            CpioArchiveInputStream c = new CpioArchiveInputStream(new NonClosing(in), 4);
            try {
                CpioArchiveEntry e;
                while ((e = c.getNextEntry()) != null) {
                    String name = e.getName();
                    String file = name.substring(name.lastIndexOf('/') + 1);
                    if (!e.isRegularFile() || !"zfs".equals(ModuleFiles.moduleName(file))) {
                        continue;
                    }
                    String printable = SystemRoot.printable(name);
                    if (!name.contains("modules/" + k.text() + "/")) {
                        others.add(printable);
                        continue;
                    }
                    zfsPath = printable;
                    if (e.getSize() > MAX_ENTRY) {
                        zfsProblem = "zfs.ko in the initramfs is too large (" + e.getSize() + " bytes)";
                    } else {
                        try {
                            if (hash) {
                                zfsSha256 = ModuleFiles.contentSha256(file, new NonClosing(c));
                                return;
                            }
                            zfs = ModuleFiles.readCompressed(file, new NonClosing(c));
                        } catch (ModuleReadException ex) {
                            zfsProblem = "zfs.ko in the initramfs: " + ex.getMessage();
                        }
                    }
                    return;
                }
            } catch (Budget.Exceeded ex) {
                throw ex;
            } catch (DecoderUnavailableException ex) {
                throw ex;
            } catch (IOException | RuntimeException ex) {
                // commons-compress reports a damaged header as IOException or IllegalArgumentException.
                throw new InitramfsReadException("damaged cpio archive: " + SystemRoot.printable(String.valueOf(ex.getMessage())));
            }
        }
    }

    static String compression(byte[] m) {
        int b0 = m[0] & 0xff;
        int b1 = m.length > 1 ? m[1] & 0xff : -1;
        if (b0 == 0x1f && (b1 == 0x8b || b1 == 0x9e)) {
            return "gzip";
        }
        if (m.length >= 6 && b0 == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X' && m[4] == 'Z' && m[5] == 0) {
            return "xz";
        }
        if (m.length >= 4 && b0 == 0x28 && b1 == 0xb5 && (m[2] & 0xff) == 0x2f && (m[3] & 0xff) == 0xfd) {
            return "zstd";
        }
        if (m.length >= 3 && b0 == 'B' && b1 == 'Z' && m[2] == 'h') {
            return "bzip2";
        }
        if (m.length >= 3 && b0 == 0x5d && b1 == 0 && m[2] == 0) {
            return "lzma";
        }
        if (m.length >= 4 && b0 == 0x02 && b1 == 0x21 && m[2] == 0x4c && m[3] == 0x18) {
            return "lz4";
        }
        return null;
    }

    private static InputStream decompressor(String kind, InputStream in) throws IOException, InitramfsReadException {
        try {
            return switch (kind) {
                case "gzip" -> new GzipCompressorInputStream(in);
                case "xz" -> new XZCompressorInputStream(in);
                case "zstd" -> ZstdDecoder.open(in);
                case "bzip2" -> new BZip2CompressorInputStream(in);
                case "lzma" -> new LZMACompressorInputStream(in);
                case "lz4" -> new LegacyLz4InputStream(in);
                default -> throw new InitramfsReadException(kind + "-compressed initramfs: no " + kind + " decoder available");
            };
        } catch (DecoderUnavailableException e) {
            throw e;
        } catch (LinkageError e) {
            throw new DecoderUnavailableException(kind, e);
        } catch (IOException | RuntimeException e) {
            throw new InitramfsReadException("not a valid " + kind + " stream: " + SystemRoot.printable(String.valueOf(e.getMessage())));
        }
    }

    private static byte[] peek(BufferedInputStream in, int n) throws IOException {
        in.mark(n);
        byte[] b = in.readNBytes(n);
        in.reset();
        return b;
    }

    /** Skips the zero padding between archives, a block at a time (it can be long in a hostile image). */
    private static void skipZeros(BufferedInputStream in) throws IOException {
        byte[] block = new byte[1 << 12];
        while (true) {
            in.mark(block.length);
            int n = in.read(block);
            if (n <= 0) {
                return;
            }
            int i = 0;
            while (i < n && block[i] == 0) {
                i++;
            }
            if (i < n) {
                in.reset();
                in.skipNBytes(i);
                return;
            }
        }
    }

    private static int be32(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    /** Counts what a decompressor hands out and stops at the budget. */
    private static final class Budget extends FilterInputStream {
        static final class Exceeded extends IOException {
            Exceeded() {
                super("byte budget exceeded");
            }
        }

        private long left;

        Budget(InputStream in, long budget) {
            super(in);
            this.left = budget;
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            if (c >= 0 && --left < 0) {
                throw new Exceeded();
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0 && (left -= n) < 0) {
                throw new Exceeded();
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long d = super.skip(n);
            if (d > 0 && (left -= d) < 0) {
                throw new Exceeded();
            }
            return d;
        }
    }

    /** Keeps inner readers from closing the shared stream. */
    private static final class NonClosing extends FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }
}
