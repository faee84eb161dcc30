package org.zfsguard.io;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

import io.airlift.compress.zstd.ZstdInputStream;

/**
 * Zstandard decoding in pure Java (aircompressor): no native library is
 * unpacked into a temporary directory, so a {@code noexec} /tmp changes
 * nothing. The decoder refuses frames whose window exceeds 8 MiB (dpkg-deb and
 * initramfs-tools stay below it up to level 19).
 */
public final class ZstdDecoder {
    /** {@code printf x | zstd}: decoded once when the class loads, so that a decoder unable to run is found before any real input is blamed. */
    private static final byte[] PROBE = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0x04, 0x58, 0x09, 0x00, 0x00, 0x78,
            0x23, 0x11, 0x04, (byte) 0x83};
    private static final Throwable UNAVAILABLE = probe(PROBE, new byte[] {'x'});

    private ZstdDecoder() {
    }

    /**
     * A stream of the bytes {@code in} decodes to.
     *
     * @throws DecoderUnavailableException when the decoder cannot run here (a zfsguard fault)
     */
    public static InputStream open(InputStream in) {
        if (UNAVAILABLE != null) {
            throw new DecoderUnavailableException("zstd", UNAVAILABLE);
        }
        return new ZstdInputStream(in);
    }

    /** Why the decoder cannot be trusted here, or null when it decodes {@code frame} to {@code expected}. */
    static Throwable probe(byte[] frame, byte[] expected) {
        try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(frame))) {
            return java.util.Arrays.equals(in.readAllBytes(), expected) ? null
                    : new IllegalStateException("decodes a known frame wrongly");
        } catch (IOException | RuntimeException | LinkageError e) {
            return e;
        }
    }
}
