package org.zfsguard.deb;

import java.io.IOException;
import java.io.InputStream;

import org.zfsguard.io.ReadThroughFilter;

/**
 * Sits under the tar reader and looks at each 512-byte header before the
 * reader does. commons-compress reads a PAX or GNU long-name record into one
 * array of the size its header declares, so a hostile header could ask for
 * gigabytes before any of our entry checks runs; this refuses such metadata
 * records (and GNU sparse entries, which dpkg does not unpack either) first.
 *
 * <p>It only follows the block layout (header, then the entry's data rounded
 * up to 512 bytes); if a header does not parse, it stops watching and leaves
 * the verdict to the tar reader and the byte budget.
 */
final class TarHeaderGuard extends ReadThroughFilter {
    private static final int BLOCK = 512;

    private final long maxMetadata;
    private final byte[] header = new byte[BLOCK];
    private long pos;
    private long nextHeader;
    private boolean watching = true;

    TarHeaderGuard(InputStream in, long maxMetadata) {
        super(in);
        this.maxMetadata = maxMetadata;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0 && watching) {
            observe(buf, off, n);
        }
        return n;
    }

    private void observe(byte[] buf, int off, int n) throws IOException {
        long start = pos;
        pos += n;
        while (watching && nextHeader < pos) {
            long from = Math.max(start, nextHeader);
            long to = Math.min(pos, nextHeader + BLOCK);
            if (to <= from) {
                return;
            }
            System.arraycopy(buf, off + (int) (from - start), header, (int) (from - nextHeader), (int) (to - from));
            if (to < nextHeader + BLOCK) {
                return; // the rest of this header comes with the next read
            }
            nextHeader = following();
        }
    }

    /** Checks the completed header and returns where the next one starts. */
    private long following() throws IOException {
        boolean zero = true;
        for (byte b : header) {
            if (b != 0) {
                zero = false;
                break;
            }
        }
        if (zero) {
            return nextHeader + BLOCK;
        }
        long size = size();
        if (size < 0) {
            watching = false;
            return Long.MAX_VALUE;
        }
        byte type = header[156];
        if ((type == 'x' || type == 'g' || type == 'L' || type == 'K') && size > maxMetadata) {
            throw new LimitException("tar metadata record (type " + (char) type + ") of " + size
                    + " bytes, more than " + maxMetadata);
        }
        if (type == 'S') {
            throw new LimitException("GNU sparse tar entry, which dpkg does not unpack either");
        }
        long blocks = (size + BLOCK - 1) / BLOCK;
        return nextHeader + BLOCK + blocks * BLOCK;
    }

    /** The size field: octal, or GNU base-256 when the top bit of its first byte is set; -1 when unreadable. */
    private long size() {
        if ((header[124] & 0x80) != 0) {
            long v = header[124] & 0x7f;
            for (int i = 125; i < 136; i++) {
                if (v > (Long.MAX_VALUE >> 9)) {
                    return Long.MAX_VALUE >> 1;
                }
                v = (v << 8) | (header[i] & 0xff);
            }
            return v;
        }
        long v = 0;
        boolean digits = false;
        for (int i = 124; i < 136; i++) {
            byte b = header[i];
            if (b >= '0' && b <= '7') {
                v = v * 8 + (b - '0');
                digits = true;
            } else if (b == ' ' || b == 0) {
                if (digits) {
                    break;
                }
            } else {
                return -1;
            }
        }
        return v;
    }

    /** A bound was exceeded; turned into a {@link DebFormatException} by the reader. */
    static final class LimitException extends IOException {
        LimitException(String message) {
            super(message);
        }
    }
}
