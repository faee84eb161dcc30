package org.zfsguard.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Opens a file that must be a regular file. Opening a FIFO blocks until someone
 * writes to it (a FIFO in place of the configuration hung apt), and a device can be
 * endless, so the type is checked first, without following a final symlink, and
 * anything else is refused with its kind named.
 */
public final class RegularFile {
    private RegularFile() {
    }

    /** Opens {@code file} for reading; a missing file throws {@link NoSuchFileException}. */
    public static InputStream open(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
            throw new IOException(file + " is " + kind(a) + ", not a regular file: not read");
        }
        return Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
    }

    /** The whole file, refused when it is larger than {@code max} bytes (checked while reading). */
    public static byte[] read(Path file, int max) throws IOException {
        try (InputStream in = open(file)) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                throw new IOException(file + " is larger than " + max + " bytes: not read");
            }
            return b;
        }
    }

    private static String kind(BasicFileAttributes a) {
        if (a.isDirectory()) {
            return "a directory";
        }
        if (a.isSymbolicLink()) {
            return "a symlink";
        }
        return "a FIFO, socket or device";
    }
}
