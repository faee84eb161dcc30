package org.zfsguard.hook;

import java.io.IOException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.zfsguard.backup.BackupOutcome;
import org.zfsguard.backup.BackupSet;
import org.zfsguard.backup.BackupStore;
import org.zfsguard.backup.VerifyReport;
import org.zfsguard.state.LockBusyException;

/**
 * Backs up the boot sets of the kernels a package operation is about to touch,
 * before dpkg runs. A boot set already backed up in the same run is not backed
 * up twice. A backup that cannot be made is said loudly and the operation goes
 * on: promise 1 (never break apt) outranks promise 2.
 *
 * <p>Backups take only the store lock, not zfsguard's main lock: a rebuild
 * that holds the main lock for an hour does not keep a kernel upgrade from
 * backing up. When another backup holds the store lock past the hook's wait,
 * this hook backs up nothing and deletes nothing (no retention, no clean-up).
 */
final class BootSetGuard {
    private static final double MIB = 1024 * 1024;

    private BootSetGuard() {
    }

    /** Backs up each kernel of {@code kernels} into the store; records the result in {@code pending}. */
    static void backUp(HookContext ctx, PendingChange pending, Collection<String> kernels, Set<String> protectedKernels) {
        if (kernels.isEmpty()) {
            return;
        }
        try {
            BackupStore store = BackupStore.open(ctx.root(), ctx.state()).waitingAtMost(ctx.lockWait());
            long reserve = ctx.config().reserveMiB() * 1024 * 1024;
            store.locked(() -> {
                for (String k : kernels) {
                    if (pending.backedUp(k)) {
                        ctx.say("boot set of " + k + " already backed up in this run (" + pending.backups.get(k) + ")");
                        continue;
                    }
                    try {
                        backUpOne(ctx, pending, store, k, reserve);
                    } catch (IOException | RuntimeException | OutOfMemoryError e) {
                        // one kernel's failure must not cost the backups of the others
                        ctx.say("NOT BACKED UP: " + k + ": " + e.getMessage());
                        pending.backups.putIfAbsent(k, "refused: " + e.getMessage());
                        ctx.journal("backup-failed", Map.of("kernels", k, "reason", String.valueOf(e.getMessage())));
                    }
                }
                Set<String> madeThisRun = new HashSet<>(pending.backups.values());
                for (BackupSet gone : store.applyRetention(ctx.config().keepKernels(), protectedKernels, madeThisRun)) {
                    ctx.say("removed old backup " + gone.id() + " (keep_kernels = " + ctx.config().keepKernels() + ")");
                }
                return null;
            });
        } catch (LockBusyException e) {
            ctx.say("WARNING: NOT BACKED UP: " + kernels + ": " + e.getMessage());
            ctx.say("  the package operation goes on without a backup; nothing was deleted");
            ctx.say("  next: once it is done, sudo zfsguard backup");
            for (String k : kernels) {
                pending.backups.putIfAbsent(k, "refused: " + e.getMessage());
            }
            ctx.journal("backup-skipped", Map.of("kernels", String.join(" ", kernels), "reason", String.valueOf(e.getMessage())));
        } catch (IOException | RuntimeException e) {
            ctx.say("NOT BACKED UP: " + kernels + ": " + e.getMessage());
            ctx.say("  the package operation goes on; check free space on /var/lib/zfsguard");
            ctx.say("  next: sudo zfsguard backup");
            for (String k : kernels) {
                pending.backups.putIfAbsent(k, "refused: " + e.getMessage());
            }
            ctx.journal("backup-failed", Map.of("kernels", String.join(" ", kernels), "reason", String.valueOf(e.getMessage())));
        }
    }

    private static void backUpOne(HookContext ctx, PendingChange pending, BackupStore store, String k, long reserve)
            throws IOException {
        BackupOutcome o = store.backup(k, reserve);
        if (o instanceof BackupOutcome.Created c) {
            BackupSet set = c.set();
            VerifyReport v = store.verify(set);
            if (!v.ok()) {
                ctx.say("NOT BACKED UP: " + k + ": the new backup does not verify: " + v.problems().get(0));
                pending.backups.put(k, "refused: backup did not verify");
                return;
            }
            ctx.say(String.format("backed up boot set of %s (%d files, %.1f MiB, sha256 verified) as %s", k, set.files(),
                    set.bytes() / MIB, set.id()));
            pending.backups.put(k, set.id());
        } else if (o instanceof BackupOutcome.Refused r) {
            ctx.say("NOT BACKED UP: " + k + ": " + r.reason());
            ctx.say("  the package operation goes on; free space on /var/lib/zfsguard");
            ctx.say("  next: sudo zfsguard backup --kernel " + k);
            pending.backups.put(k, "refused: " + r.reason());
        }
        // NothingToBackUp: the kernel has no files left; nothing to say.
    }
}
