package org.zfsguard.rebuild;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Follows DKMS's {@code make.log} as it grows. DKMS sends make's output there, not to its
 * own stdout, so compile progress can only be seen in this file. DKMS deletes and
 * recreates the build directory at the start of every build, so a file that is replaced
 * (other file key) or shrinks is read again from its start, and a log left over from an
 * earlier build is skipped.
 */
public final class MakeLogFollower {
    private static final int MAX_READ_PER_POLL = 1 << 20;
    private static final int MAX_LINE_CHARS = 4096;

    private final Path file;
    private Object fileKey;
    private long offset;
    private final StringBuilder partial = new StringBuilder();
    /** The last bytes before {@link #offset}: a file system may give a new log the old one's inode. */
    private byte[] anchor = new byte[0];
    private static final int ANCHOR_BYTES = 64;

    private MakeLogFollower(Path file) {
        this.file = file;
    }

    /** Starts following {@code file} (a host path), ignoring what an earlier build left in it. */
    public static MakeLogFollower skippingExisting(Path file) {
        MakeLogFollower f = new MakeLogFollower(file);
        BasicFileAttributes a = attributes(file);
        if (a != null) {
            f.fileKey = a.fileKey() != null ? a.fileKey() : Boolean.TRUE;
            f.offset = a.size();
            f.anchor = f.readAnchor();
        }
        return f;
    }

    /** Complete lines appended since the last call. Never throws: a missing log has no lines yet. */
    public List<String> readNew() {
        List<String> lines = new ArrayList<>();
        BasicFileAttributes a = attributes(file);
        if (a == null || !a.isRegularFile()) {
            return lines;
        }
        Object key = a.fileKey() != null ? a.fileKey() : Boolean.TRUE;
        if (!Objects.equals(key, fileKey) || a.size() < offset || !java.util.Arrays.equals(anchor, readAnchor())) {
            fileKey = key;
            offset = 0;
            anchor = new byte[0];
            partial.setLength(0);
        }
        if (a.size() == offset) {
            return lines;
        }
        try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ch.position(offset);
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(MAX_READ_PER_POLL, a.size() - offset));
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // keep reading until the buffer is full or the file ends
            }
            buf.flip();
            offset += buf.remaining();
            anchor = readAnchor();
            String text = StandardCharsets.UTF_8.decode(buf).toString();
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\n') {
                    lines.add(partial.toString());
                    partial.setLength(0);
                } else if (partial.length() < MAX_LINE_CHARS) {
                    partial.append(c);
                }
            }
        } catch (IOException e) {
            // The build directory can vanish between stat and open while DKMS recreates it.
        }
        return lines;
    }

    private byte[] readAnchor() {
        if (offset == 0) {
            return new byte[0];
        }
        int n = (int) Math.min(ANCHOR_BYTES, offset);
        try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ch.position(offset - n);
            ByteBuffer buf = ByteBuffer.allocate(n);
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // fill the anchor window
            }
            return java.util.Arrays.copyOf(buf.array(), buf.position());
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static BasicFileAttributes attributes(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
        }
    }

    /** The last {@code n} lines of a log (for failure messages), made printable; empty when unreadable. */
    public static List<String> tail(Path file, int n) {
        try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = ch.size();
            long start = Math.max(0, size - 64 * 1024);
            ch.position(start);
            ByteBuffer buf = ByteBuffer.allocate((int) (size - start));
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // read the tail window
            }
            buf.flip();
            String[] all = StandardCharsets.UTF_8.decode(buf).toString().split("\n", -1);
            List<String> lines = new ArrayList<>();
            int end = all.length;
            if (end > 0 && all[end - 1].isEmpty()) {
                end--;
            }
            // The first line of a window that starts mid-file is partial.
            int from = Math.max(start > 0 ? 1 : 0, end - n);
            for (int i = from; i < end; i++) {
                lines.add(org.zfsguard.system.SystemRoot.printable(all[i]));
            }
            return lines;
        } catch (IOException e) {
            return List.of();
        }
    }
}
