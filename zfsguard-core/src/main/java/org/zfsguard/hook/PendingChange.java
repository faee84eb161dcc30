package org.zfsguard.hook;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a hook saw before dpkg ran, kept in {@code /var/lib/zfsguard/pending.json}
 * until the post-invoke hook has reported on it: which watched packages change,
 * which boot sets were backed up (so that no later hook of the same run backs
 * them up twice), and what the preflight predicted.
 *
 * <p>A plain data class so that gson can read and write it field by field.
 */
public final class PendingChange {
    /** Who recorded it first: {@code apt}, {@code kernel-prerm}, {@code kernel-postinst}. */
    public String source;
    public String created;
    public List<String> packages = new ArrayList<>();
    /** Kernel release to backup id, or to {@code "refused: reason"}. */
    public Map<String, String> backups = new LinkedHashMap<>();
    public List<String> kernelsInstalled = new ArrayList<>();
    public List<String> kernelsRemoved = new ArrayList<>();
    /** Preflight verdict (OK, WARN, BLOCK overridden) and the next-boot kernel it expected, or null. */
    public String preflight;
    public String predictedNextBoot;
    public boolean predictedSafe;

    public boolean backedUp(String kernel) {
        return backups.containsKey(kernel) && !backups.get(kernel).startsWith("refused");
    }
}
