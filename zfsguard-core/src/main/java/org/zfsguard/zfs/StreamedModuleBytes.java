package org.zfsguard.zfs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A decompressing stream read forward once, in bounded memory, for
 * {@link ElfModinfoReader}. A module's section header table and its section names come
 * last, so the last {@link #WINDOW} bytes read are kept; {@code .modinfo} usually lies
 * megabytes earlier, so the bytes around each {@code vermagic=} (which every module's
 * {@code .modinfo} holds) are kept as well. The section table then says which kept bytes
 * are {@code .modinfo}: nothing is guessed, and a layout that needs more than was kept is
 * an error that says so, never a heap the size of the module.
 */
final class StreamedModuleBytes implements ModuleBytes {
    /** Kept behind the read position: section names and a section table of up to 16,384 entries. */
    static final int WINDOW = 2 << 20;
    /** Kept on each side of a {@code vermagic=}: more than any real {@code .modinfo}. */
    static final int AROUND = ElfModinfoReader.MAX_MODINFO_BYTES;
    private static final int MAX_CAPTURES = 4;
    private static final byte[] MARK = "vermagic=".getBytes(StandardCharsets.US_ASCII);

    private final InputStream in;
    private final long cap;
    private final byte[] ring = new byte[WINDOW];
    private final byte[] chunk = new byte[1 << 16];
    private final List<Capture> captures = new ArrayList<>();
    private Capture filling;
    private long pos;
    private int matched;
    private boolean eof;

    /** Reads {@code in} forward; more than {@code cap} bytes is refused as not a module. */
    StreamedModuleBytes(InputStream in, long cap) {
        this.in = in;
        this.cap = cap;
    }

    @Override
    public long limit() {
        return cap;
    }

    @Override
    public int byteAt(long at) throws ModuleReadException {
        if (at < 0) {
            throw new ModuleReadException("negative offset " + at);
        }
        if (at >= cap) {
            throw new ModuleReadException("offset " + at + " is beyond " + (cap >> 20) + " MiB: not a module");
        }
        while (at >= pos) {
            if (!fill()) {
                throw new ModuleReadException("offset " + at + " beyond the end of the data (" + pos + " bytes; truncated?)");
            }
        }
        if (at >= pos - WINDOW) {
            return ring[(int) (at % WINDOW)] & 0xff;
        }
        for (Capture c : captures) {
            if (at >= c.start && at < c.start + c.length) {
                return c.bytes[(int) (at - c.start)] & 0xff;
            }
        }
        throw new ModuleReadException("offset " + at + " was passed while reading the stream once"
                + " (an unusual module layout: .modinfo far from vermagic= and from the section table)");
    }

    private boolean fill() throws ModuleReadException {
        if (eof) {
            return false;
        }
        int n;
        try {
            n = in.read(chunk, 0, (int) Math.min(chunk.length, cap - pos));
        } catch (IOException e) {
            throw new ModuleReadException("cannot read: " + e.getMessage(), e);
        }
        if (n <= 0) {
            eof = true;
            return false;
        }
        for (int i = 0; i < n; i++) {
            take(chunk[i]);
        }
        if (pos >= cap) {
            int probe;
            try {
                probe = in.read();
            } catch (IOException e) {
                throw new ModuleReadException("cannot read: " + e.getMessage(), e);
            }
            if (probe >= 0) {
                throw new ModuleReadException("decompresses to more than " + (cap >> 20) + " MiB: not a module");
            }
            eof = true;
        }
        return true;
    }

    private void take(byte b) {
        if (filling != null) {
            filling.bytes[filling.length++] = b;
            if (filling.length == filling.bytes.length) {
                filling = null;
            }
        }
        ring[(int) (pos % WINDOW)] = b;
        pos++;
        matched = b == MARK[matched] ? matched + 1 : (b == MARK[0] ? 1 : 0);
        if (matched == MARK.length) {
            matched = 0;
            if (filling == null && captures.size() < MAX_CAPTURES) {
                startCapture();
            }
        }
    }

    private void startCapture() {
        int behind = (int) Math.min(Math.min(AROUND, pos), WINDOW);
        Capture c = new Capture(pos - behind, new byte[behind + AROUND]);
        for (long o = pos - behind; o < pos; o++) {
            c.bytes[c.length++] = ring[(int) (o % WINDOW)];
        }
        captures.add(c);
        filling = c;
    }

    private static final class Capture {
        final long start;
        final byte[] bytes;
        int length;

        Capture(long start, byte[] bytes) {
            this.start = start;
            this.bytes = bytes;
        }
    }
}
