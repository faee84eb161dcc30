package org.zfsguard.guard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.zfsguard.backup.BackupSet;
import org.zfsguard.backup.BackupStore;
import org.zfsguard.backup.DpkgOwnership;
import org.zfsguard.backup.ProcessDepmod;
import org.zfsguard.backup.RestoreOutcome;
import org.zfsguard.backup.Restorer;
import org.zfsguard.guard.BootGuard.Decision;
import org.zfsguard.message.NextStep;
import org.zfsguard.readiness.KernelReadiness;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.readiness.Verdict;
import org.zfsguard.state.AtomicFiles;
import org.zfsguard.state.EventJournal;
import org.zfsguard.state.StateDir;
import org.zfsguard.system.SystemRoot;

/**
 * Carries out {@link BootGuard}'s decision after a kernel or ZFS change: reads
 * the guard's state, restores the known-good kernel when its files are gone,
 * points the boot loader, records the trial, keeps the reboot interlock's flag,
 * and journals what it decided. The caller holds zfsguard's lock.
 */
public final class BootGuardian {
    /** Present while the next boot is not safe; the molly-guard script reads only whether it exists. */
    public static final String INTERLOCK_FILE = "reboot-unsafe";

    /** Brings a kernel's boot set back from its newest backup; lines say what was done. */
    @FunctionalInterface
    public interface KernelRestore {
        List<String> restore(String kernel) throws IOException;
    }

    /** What the guard did: the decision, whether the boot target changed, and lines for the operator. */
    public record Outcome(Decision decision, boolean changed, List<String> lines) {
    }

    private final SystemRoot root;
    private final StateDir state;
    private final BootGuard.Mode mode;
    private final BootTargetApplier applier;
    private final KernelRestore restore;
    private final Clock clock;

    public BootGuardian(SystemRoot root, StateDir state, BootGuard.Mode mode, BootTargetApplier applier,
            KernelRestore restore, Clock clock) {
        this.root = root;
        this.state = state;
        this.mode = mode;
        this.applier = applier;
        this.restore = restore;
        this.clock = clock;
    }

    /** The restore of a real system: the newest backup, through {@link Restorer}, never over a package's files. */
    public static KernelRestore fromBackups(SystemRoot root, StateDir state) {
        return kernel -> {
            BackupStore store = BackupStore.open(root, state);
            Optional<BackupSet> set = store.newest(kernel);
            if (set.isEmpty()) {
                throw new IOException("no backup of " + kernel);
            }
            RestoreOutcome o = new Restorer(root, store, new DpkgOwnership(root), new ProcessDepmod())
                    .restore(set.get(), new Restorer.Options(false, false, false));
            if (o instanceof RestoreOutcome.Restored r) {
                List<String> lines = new ArrayList<>();
                lines.add("restored boot set of " + kernel + " from " + set.get().id() + ": " + r.written() + " written, "
                        + r.unchanged() + " already matching");
                lines.addAll(r.warnings());
                return lines;
            }
            if (o instanceof RestoreOutcome.Refused f) {
                throw new IOException("restoring " + kernel + " was refused: " + f.reason());
            }
            throw new IOException("restoring " + kernel + " did nothing");
        };
    }

    /** The input of the decision from a report and the guard's state. */
    public BootGuard.Input input(ReadinessReport report, GuardState.Data s) throws IOException {
        Map<String, Verdict> verdicts = new LinkedHashMap<>();
        for (KernelReadiness k : report.kernels()) {
            if (k.facts().installed() != null) {
                verdicts.put(k.facts().release().text(), k.verdict());
            }
        }
        String next = report.nextBoot().release() == null ? null : report.nextBoot().release().text();
        BootGuard.Backup backup = BootGuard.Backup.NONE;
        if (s.knownGood != null && !verdicts.containsKey(s.knownGood)
                && BackupStore.open(root, state).newest(s.knownGood).isPresent()) {
            backup = BootGuard.Backup.SAME_OPENZFS;
        }
        return new BootGuard.Input(mode, verdicts, next, s.knownGood, backup, s.trial == null ? null : s.trial.kernel,
                new HashSet<>(s.failedTrials));
    }

    /**
     * Before a change: the kernel that boots now, when SAFE and no known-good
     * kernel is recorded yet, becomes the known-good one, so that the way back
     * is known before apt removes anything.
     */
    public void rememberBeforeChange(ReadinessReport report) throws IOException {
        GuardState gs = new GuardState(state);
        GuardState.Data s = gs.read();
        KernelReadiness next = report.nextBootKernel();
        if (s.knownGood != null || next == null || next.verdict() != Verdict.OK || next.facts().installed() == null) {
            return;
        }
        s.knownGood = next.facts().release().text();
        s.knownGoodSource = "before a kernel change";
        s.knownGoodSince = now();
        gs.write(s);
        journal("known-good", Map.of("kernel", s.knownGood, "source", s.knownGoodSource));
    }

    /** Decides and applies; never throws for the boot loader's sake: a failure is a line and a journal entry. */
    public Outcome guard(ReadinessReport report) throws IOException {
        GuardState gs = new GuardState(state);
        GuardState.Data s = gs.read();
        Decision d = BootGuard.decide(input(report, s));
        List<String> lines = new ArrayList<>();
        boolean changed = false;
        String error = null;
        try {
            if (d instanceof BootGuard.Hold h) {
                lines.add("boot guard: the next boot now loads " + h.target() + ": " + h.reason());
                if (h.restoreFirst()) {
                    lines.addAll(restore.restore(h.target()));
                    if (!s.restoredByGuard.contains(h.target())) {
                        s.restoredByGuard.add(h.target());
                    }
                    changed = true;
                    gs.write(s);
                    String stale = RestoredKernel.staleReason(root, h.target());
                    if (stale != null) {
                        lines.add("WARNING: the restored " + h.target() + " is STALE (" + stale + "): it boots, but"
                                + " ZFS may not load there until "
                                + NextStep.zfsguardAsRoot("rebuild", "--kernel", h.target()).command(root));
                    }
                }
                if (h.warning() != null) {
                    lines.add("WARNING: " + h.warning());
                }
                lines.addAll(applier.hold(h.target()));
                changed = true;
            } else if (d instanceof BootGuard.Trial t) {
                lines.add("boot guard: " + t.reason());
                lines.addAll(applier.trial(t.target(), t.fallback()));
                GuardState.TrialData trial = new GuardState.TrialData();
                trial.kernel = t.target();
                trial.fallback = t.fallback();
                trial.started = now();
                s.trial = trial;
                gs.write(s);
                changed = true;
            } else if (d instanceof BootGuard.NoSafeKernel n) {
                lines.add("boot guard: " + n.reason() + "; reboots are held back (molly-guard, and 'zfsguard check' exits 1)");
            }
        } catch (IOException | RuntimeException e) {
            error = e.getMessage();
            lines.add("boot guard: could not point the boot loader at " + d.target() + ": " + error);
        }
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("decision", d.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT));
        ev.put("target", d.target());
        ev.put("reason", d.reason());
        ev.put("known_good", s.knownGood);
        ev.put("changed", changed);
        if (error != null) {
            ev.put("error", error);
        }
        journal("boot-guard", ev);
        return new Outcome(d, changed && error == null, lines);
    }

    /**
     * The lines that say what switches the boot target forward: the next step of
     * the kernel that was held back, which then boots once as a trial.
     */
    public static List<String> forwardSteps(ReadinessReport before, Decision d, SystemRoot root) {
        List<String> lines = new ArrayList<>();
        if (!(d instanceof BootGuard.Hold) || before.nextBootKernel() == null) {
            return lines;
        }
        KernelReadiness held = before.nextBootKernel();
        NextStep step = held.judgement().next();
        if (step != null && !held.facts().release().text().equals(d.target())) {
            lines.add("  " + step.line(root) + "   (" + held.facts().release().text()
                    + " then boots once as a trial)");
        }
        return lines;
    }

    /**
     * The whole turn of the guard for a caller that holds zfsguard's lock: decide,
     * apply, say what boots next and what switches it forward, keep the interlock
     * flag. Returns the report as it stands afterwards.
     */
    public static ReadinessReport run(SystemRoot root, StateDir state, BootGuard.Mode mode,
            org.zfsguard.rebuild.CommandRunner runner, ReadinessReport report, java.util.function.Consumer<String> say)
            throws IOException {
        if (mode == BootGuard.Mode.WARN || report.overall() == ReadinessReport.Overall.NO_ZFS) {
            return report;
        }
        BootGuardian g = new BootGuardian(root, state, mode, new BootTargetApplier(root, runner),
                fromBackups(root, state), Clock.systemUTC());
        Outcome o = g.guard(report);
        o.lines().forEach(say);
        ReadinessReport after = o.changed() ? new org.zfsguard.readiness.ReadinessEngine(root).evaluate() : report;
        forwardSteps(report, o.decision(), root).forEach(say);
        g.interlock(after);
        return after;
    }

    /** A rebuilt kernel has a new module: a trial that failed before may go again. */
    public void forgetFailedTrials(java.util.Collection<String> kernels) throws IOException {
        GuardState gs = new GuardState(state);
        GuardState.Data s = gs.read();
        if (s.failedTrials.removeAll(kernels)) {
            gs.write(s);
        }
    }

    /** Keeps the interlock flag in step with the verdict after the guard acted. */
    public void interlock(ReadinessReport after) throws IOException {
        Path flag = state.path().resolve(INTERLOCK_FILE);
        if (after.overall() == ReadinessReport.Overall.NOT_SAFE) {
            state.ensure();
            AtomicFiles.write(flag, (after.overallReason() + "\n").getBytes(StandardCharsets.UTF_8));
        } else if (Files.deleteIfExists(flag)) {
            AtomicFiles.fsyncDirectory(state.path());
        }
    }

    private void journal(String event, Map<String, ?> fields) {
        try {
            EventJournal.of(state).append(event, fields);
        } catch (IOException | RuntimeException e) {
            // The journal is a record, not a condition of the guard's work.
        }
    }

    private String now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
