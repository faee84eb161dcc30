package org.zfsguard.backup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which backups to delete. Kept: the newest backup of each of the {@code keep}
 * kernels backed up most recently, and always the newest backup of a protected
 * kernel (the running one, the one that boots next), so that the only copy of
 * a kernel the system depends on is never deleted. For each kept kernel the
 * newest earlier backup whose files differ is kept too: an Armbian release
 * string can name two builds, and a backup taken after DKMS removed the ZFS
 * module must not push out the one taken before. Everything else goes; equal
 * backups share their contents, so an older equal one frees only a manifest.
 */
public final class RetentionPolicy {
    /** {@code content} is equal for two backups of identical files (see {@link Manifest#contentDigest}). */
    public record SetRef(String id, String kernel, Instant created, String content) {
    }

    private static final Comparator<SetRef> NEWEST_FIRST =
            Comparator.comparing(SetRef::created).thenComparing(SetRef::id).reversed();

    private RetentionPolicy() {
    }

    public static List<SetRef> toDelete(List<SetRef> sets, int keepKernels, Set<String> protectedKernels) {
        return toDelete(sets, keepKernels, protectedKernels, Set.of());
    }

    /**
     * Like {@link #toDelete(List, int, Set)}, where the backups {@code fresh}
     * (made by the run that applies retention) are the newest of their kernel
     * even within the same second, and are never deleted.
     */
    public static List<SetRef> toDelete(List<SetRef> sets, int keepKernels, Set<String> protectedKernels, Set<String> fresh) {
        if (keepKernels < 1) {
            throw new IllegalArgumentException("keep at least one kernel, not " + keepKernels);
        }
        List<SetRef> sorted = new ArrayList<>(sets);
        sorted.sort(Comparator.comparing((SetRef s) -> !fresh.contains(s.id())).thenComparing(NEWEST_FIRST));
        Map<String, SetRef> newestPerKernel = new LinkedHashMap<>();
        for (SetRef s : sorted) {
            newestPerKernel.putIfAbsent(s.kernel(), s);
        }
        List<SetRef> keep = new ArrayList<>();
        int kernels = 0;
        for (SetRef newest : newestPerKernel.values()) {
            if (kernels < keepKernels || protectedKernels.contains(newest.kernel())) {
                keep.add(newest);
                sorted.stream()
                        .filter(s -> s.kernel().equals(newest.kernel()) && !s.content().equals(newest.content()))
                        .findFirst()
                        .ifPresent(keep::add);
            }
            kernels++;
        }
        List<SetRef> delete = new ArrayList<>();
        for (SetRef s : sorted) {
            if (!keep.contains(s) && !fresh.contains(s.id())) {
                delete.add(s);
            }
        }
        return delete;
    }
}
