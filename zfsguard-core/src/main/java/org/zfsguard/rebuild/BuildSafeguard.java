package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import java.io.IOException;
import java.util.Optional;

import org.zfsguard.backup.BackupOutcome;
import org.zfsguard.backup.BackupSet;
import org.zfsguard.backup.BackupStore;
import org.zfsguard.backup.Depmod;
import org.zfsguard.backup.DpkgOwnership;
import org.zfsguard.backup.RestoreOutcome;
import org.zfsguard.backup.Restorer;
import org.zfsguard.message.NextStep;
import org.zfsguard.readiness.KernelReadiness;
import org.zfsguard.readiness.Verdict;
import org.zfsguard.system.SystemRoot;

/**
 * What surrounds one build: the boot set is backed up before a module is replaced; after
 * the build, the kernel must be OK again (after update-initramfs when ZFS is in the
 * initramfs), else the backup goes back in place and the build counts as failed.
 */
final class BuildSafeguard implements BuildHooks {
    private final SystemRoot root;
    private final RebuildPlan.Build build;
    private final BackupStore store;
    private final long reserveBytes;
    private final Depmod depmod;
    private final InitramfsRefresh initramfs;
    private final boolean initramfsRequired;
    private final RebuildOutput output;
    private BackupSet backup;
    private String restoredFrom;

    BuildSafeguard(SystemRoot root, RebuildPlan.Build build, BackupStore store, long reserveBytes, Depmod depmod,
            InitramfsRefresh initramfs, boolean initramfsRequired, RebuildOutput output) {
        this.root = root;
        this.build = build;
        this.store = store;
        this.reserveBytes = reserveBytes;
        this.depmod = depmod;
        this.initramfs = initramfs;
        this.initramfsRequired = initramfsRequired;
        this.output = output;
    }

    /** The id of the backup put back after a failed build, or null when none was. */
    String restoredFrom() {
        return restoredFrom;
    }

    @Override
    public void beforeBuild(DkmsInvocation invocation) throws BuildRefusedException {
        if (!build.replacesModule()) {
            return;
        }
        String k = build.kernel().text();
        try {
            BackupOutcome o = store.backup(k, reserveBytes);
            if (o instanceof BackupOutcome.Created c) {
                backup = c.set();
                output.say(k + ": backed up the boot set as " + backup.id());
            } else if (o instanceof BackupOutcome.Refused r) {
                throw new BuildRefusedException("the module it replaces could not be backed up: " + r.reason());
            }
        } catch (IOException e) {
            throw new BuildRefusedException("the module it replaces could not be backed up: " + e.getMessage());
        }
    }

    @Override
    public BuildResult afterBuild(DkmsInvocation invocation, BuildResult result) {
        KernelRelease k = build.kernel();
        if (!result.succeeded()) {
            restore("the build did not finish");
            return result;
        }
        Optional<KernelReadiness> row = FreshReadiness.of(root, k);
        boolean refresh = row.isPresent() && initramfsRequired && (row.get().verdict() == Verdict.NOT_IN_INITRAMFS
                || row.get().verdict() == Verdict.OK && !initramfs.holdsBuiltModule(k, row.get()));
        if (refresh) {
            if (!initramfs.refresh(k)) {
                return result.withOutcome(BuildResult.Outcome.FAILED, "ZFS " + invocation.zfsVersion() + " was built for " + k
                        + " but the initramfs could not be refreshed; "
                        + NextStep.toolAsRoot("update-initramfs", "-u", "-k", k.text()).line(root));
            }
            row = FreshReadiness.of(root, k);
        }
        if (row.isPresent() && row.get().verdict() == Verdict.OK) {
            return result;
        }
        String why = row.isEmpty() ? "the kernel is no longer found"
                : row.get().verdict().label + ": " + row.get().judgement().reason();
        restore("the new module did not verify");
        return result.withOutcome(BuildResult.Outcome.FAILED, "DKMS reported success for " + k
                + " but ZFS would not load on it (" + SystemRoot.printable(why) + ")"
                + (restoredFrom == null ? "; no earlier module to restore; to remove it, "
                        + NextStep.toolAsRoot("dkms", "remove", "zfs/" + invocation.zfsVersion(), "-k", k.text()).line(root) : ""));
    }

    private void restore(String why) {
        if (backup == null) {
            return;
        }
        try {
            RestoreOutcome o = new Restorer(root, store, new DpkgOwnership(root), depmod)
                    .restore(backup, new Restorer.Options(false, false, false));
            if (o instanceof RestoreOutcome.Restored) {
                restoredFrom = backup.id();
            } else if (o instanceof RestoreOutcome.Refused r) {
                output.warn(why + ", and restoring backup " + backup.id() + " was refused: " + r.reason());
                output.warn("  " + restoreStep().line(root));
            }
        } catch (IOException e) {
            output.warn(why + ", and restoring backup " + backup.id() + " failed: " + e.getMessage());
            output.warn("  " + restoreStep().line(root));
        }
    }

    private NextStep restoreStep() {
        return NextStep.zfsguardAsRoot("restore", build.kernel().text(), "--from", backup.id());
    }
}
