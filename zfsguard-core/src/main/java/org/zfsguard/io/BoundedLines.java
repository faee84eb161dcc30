package org.zfsguard.io;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Lines of an untrusted text file with a cap per line enforced while reading:
 * {@code BufferedReader.readLine} holds a whole line first, so one line without a
 * newline could fill the heap. A longer line is skipped (and counted), never held.
 */
public final class BoundedLines implements AutoCloseable {
    private final InputStream in;
    private final int max;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private long skipped;

    public BoundedLines(InputStream in, int maxLineBytes) {
        this.in = new BufferedInputStream(in, 1 << 16);
        this.max = maxLineBytes;
    }

    /** The next line that fits (UTF-8, malformed bytes replaced), or null at the end. */
    public String next() throws IOException {
        while (true) {
            line.reset();
            boolean tooLong = false;
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                if (line.size() < max) {
                    line.write(c);
                } else {
                    tooLong = true;
                }
            }
            if (c == -1 && line.size() == 0 && !tooLong) {
                return null;
            }
            if (tooLong) {
                skipped++;
                if (c == -1) {
                    return null;
                }
                continue;
            }
            return line.toString(StandardCharsets.UTF_8);
        }
    }

    /** How many lines were longer than the cap. */
    public long skipped() {
        return skipped;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
