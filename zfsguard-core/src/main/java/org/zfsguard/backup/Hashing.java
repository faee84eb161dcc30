package org.zfsguard.backup;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

final class Hashing {
    static final int BUFFER = 256 * 1024;

    private Hashing() {
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static String sha256Hex(byte[] bytes) {
        return sha256Hex(bytes, 0, bytes.length);
    }

    static String sha256Hex(byte[] bytes, int off, int len) {
        MessageDigest d = sha256();
        d.update(bytes, off, len);
        return HexFormat.of().formatHex(d.digest());
    }

    /** sha256 and length of everything {@code in} yields. */
    static Digest digest(InputStream in) throws IOException {
        MessageDigest d = sha256();
        byte[] buf = new byte[BUFFER];
        long size = 0;
        for (int r; (r = in.read(buf)) > 0;) {
            d.update(buf, 0, r);
            size += r;
        }
        return new Digest(HexFormat.of().formatHex(d.digest()), size);
    }

    record Digest(String sha256, long size) {
    }
}
