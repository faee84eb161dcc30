package org.zfsguard.initramfs;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

import org.zfsguard.io.ReadThroughFilter;

import org.apache.commons.compress.compressors.lz4.BlockLZ4CompressorInputStream;

/**
 * The kernel's lz4 "legacy" format ({@code lz4 -l}, what initramfs-tools writes
 * for COMPRESS=lz4): magic 0x184C2102, then blocks of at most 8 MiB, each
 * preceded by its little-endian compressed size. commons-compress decodes
 * the blocks; only the framing is read here.
 */
final class LegacyLz4InputStream extends ReadThroughFilter {
    static final int MAGIC = 0x184C2102;
    /** The format's blocks decompress to 8 MiB; a compressed block can be slightly larger. */
    private static final int MAX_BLOCK = 9 << 20;

    private InputStream block = InputStream.nullInputStream();
    private boolean end;

    LegacyLz4InputStream(InputStream in) throws IOException {
        super(in);
        if (readLe32(true) != MAGIC) {
            throw new IOException("not lz4 legacy format");
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (true) {
            int n = block.read(b, off, len);
            if (n > 0 || len == 0) {
                return n;
            }
            if (end || !nextBlock()) {
                return -1;
            }
        }
    }

    private boolean nextBlock() throws IOException {
        long size = readLe32(false);
        while (size == MAGIC) {
            size = readLe32(false); // concatenated streams
        }
        if (size < 0) {
            end = true;
            return false;
        }
        if (size == 0 || size > MAX_BLOCK) {
            // Past the last block the kernel finds the uncompressed size or padding: stop there.
            end = true;
            return false;
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) {
            throw new EOFException("truncated lz4 block");
        }
        block = new BlockLZ4CompressorInputStream(new ByteArrayInputStream(data));
        return true;
    }

    /** A little-endian 32-bit value, or -1 at a clean end of stream. */
    private long readLe32(boolean required) throws IOException {
        byte[] b = in.readNBytes(4);
        if (b.length < 4) {
            if (required || b.length > 0) {
                throw new EOFException("truncated lz4 stream");
            }
            return -1;
        }
        return (b[0] & 0xffL) | (b[1] & 0xffL) << 8 | (b[2] & 0xffL) << 16 | (b[3] & 0xffL) << 24;
    }
}
