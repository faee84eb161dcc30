package org.zfsguard.backup;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.zfsguard.kernel.KernelRelease;

/**
 * Names of backups: {@code <kernel>@<UTC time>-<random>}, e.g.
 * {@code 6.12.57-current-rockchip64@20261124T040000Z-3fa9c1}. Readable, sorted
 * by time within a kernel, and unique even for two backups in the same second.
 */
public final class BackupId {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern FORM = Pattern.compile("(.+)@([0-9]{8}T[0-9]{6}Z)-([0-9a-f]{6})");
    private static final SecureRandom RANDOM = new SecureRandom();

    private BackupId() {
    }

    static String create(String kernel, Instant time) {
        byte[] r = new byte[3];
        RANDOM.nextBytes(r);
        return KernelRelease.require(kernel) + "@" + TIME.format(time) + "-" + HexFormat.of().formatHex(r);
    }

    /** The kernel part of a well-formed id, or null when {@code id} is not one. */
    public static String kernelOf(String id) {
        if (id == null || id.length() > 200) {
            return null;
        }
        Matcher m = FORM.matcher(id);
        if (!m.matches() || !KernelRelease.isValid(m.group(1))) {
            return null;
        }
        return m.group(1);
    }

    public static boolean isValid(String id) {
        return kernelOf(id) != null;
    }
}
