package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.zfsguard.backup.BackupStore;
import org.zfsguard.backup.Depmod;
import org.zfsguard.config.Config;
import org.zfsguard.state.EventJournal;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.thermal.ThermalGuard;

/**
 * Carries out a {@link PlannedRebuild} under zfsguard's lock (the caller holds it):
 * one kernel at a time, each build guarded by a backup and a verification, each start
 * and end written to the event journal; the first build that does not succeed stops
 * the run, since what stopped it (heat, a broken source) would stop the next one too.
 * Then the kernels that only need a fresh initramfs get one.
 */
public final class RebuildSession {
    private final SystemRoot root;
    private final Config config;
    private final BackupStore store;
    private final EventJournal journal;
    private final BuildRunner runner;
    private final Depmod depmod;
    private final InitramfsRefresh initramfs;
    private final RebuildOutput output;

    /**
     * @param runner   runs DKMS with its launcher, thermal zones, clock and sleeper
     * @param commands runs update-initramfs
     * @param depmod   rebuilds the module index after a restore
     */
    public RebuildSession(SystemRoot root, Config config, BackupStore store, EventJournal journal, BuildRunner runner,
            CommandRunner commands, Depmod depmod, RebuildOutput output) {
        this.root = root;
        this.config = config;
        this.store = store;
        this.journal = journal;
        this.runner = runner;
        this.depmod = depmod;
        this.initramfs = new InitramfsRefresh(root, commands, output);
        this.output = output;
    }

    public RebuildOutcome run(PlannedRebuild planned, ThermalGuard.Limits limits) throws InterruptedException {
        RebuildOutcome.Status status = RebuildOutcome.Status.DONE;
        List<BuildResult> results = new ArrayList<>();
        for (RebuildPlan.Build build : planned.plan().builds()) {
            BuildResult r = buildOne(build, limits, planned.initramfs());
            results.add(r);
            status = status.worse(RebuildOutcome.statusOf(r));
            if (!r.succeeded()) {
                return new RebuildOutcome(status, results, true);
            }
        }
        for (KernelRelease k : planned.initramfsOnly()) {
            if (!initramfs.refresh(k)) {
                status = status.worse(RebuildOutcome.Status.FAILED);
            }
        }
        return new RebuildOutcome(status, results, false);
    }

    private BuildResult buildOne(RebuildPlan.Build build, ThermalGuard.Limits limits, boolean initramfsRequired)
            throws InterruptedException {
        KernelRelease k = build.kernel();
        DkmsInvocation inv = build.invocation();
        journal("rebuild-started", Map.of("kernel", k.text(), "zfs_version", inv.zfsVersion(), "jobs", inv.jobs()));
        BuildSafeguard guard = new BuildSafeguard(root, build, store, config.reserveMiB() * 1024 * 1024, depmod,
                initramfs, initramfsRequired, output);
        BuildResult result = runner.run(inv, limits, output.progress(), guard);

        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("kernel", k.text());
        ev.put("zfs_version", inv.zfsVersion());
        ev.put("jobs", inv.jobs());
        ev.put("outcome", result.outcome().name());
        ev.put("highest_temperature_c", result.highestMilliCelsius().isPresent()
                ? result.highestMilliCelsius().getAsInt() / 1000.0 : null);
        ev.put("duration_s", result.elapsed().toSeconds());
        ev.put("paused_s", result.pausedTime().toSeconds());
        ev.put("restored", guard.restoredFrom());
        journal(result.succeeded() ? "rebuild-finished" : "rebuild-aborted", ev);

        if (result.succeeded()) {
            output.say(k + ": ZFS " + inv.zfsVersion() + " built and verified (" + result.highestTemperature() + ")");
            return result;
        }
        output.warn(SystemRoot.printable(result.message()));
        result.outputTail().stream().limit(20).forEach(l -> output.warn("  dkms: " + l));
        result.makeLogTail().forEach(l -> output.warn("  make.log: " + SystemRoot.printable(l)));
        if (guard.restoredFrom() != null) {
            output.warn("the previous ZFS module of " + k + " was restored from backup " + guard.restoredFrom());
        }
        return result;
    }

    private void journal(String event, Map<String, ?> fields) {
        try {
            journal.append(event, fields);
        } catch (IOException | RuntimeException e) {
            output.warn("WARNING: could not write the event journal: " + e.getMessage());
        }
    }
}
