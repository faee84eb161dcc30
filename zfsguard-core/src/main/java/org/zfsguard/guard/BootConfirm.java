package org.zfsguard.guard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.zfsguard.kernel.RootFiles;
import org.zfsguard.kernel.RunningKernel;
import org.zfsguard.rebuild.CommandRunner;
import org.zfsguard.state.EventJournal;
import org.zfsguard.state.StateDir;
import org.zfsguard.state.ZfsguardLock;
import org.zfsguard.system.SystemRoot;

/**
 * The boot-time units' work: read what this boot loaded, let
 * {@link BootConfirmation} decide, store the state, journal the decision, and
 * carry out what the boot loader needs (a reboot at most once, by
 * {@code systemctl reboot}).
 */
public final class BootConfirm {
    public static final String ZPOOL_CACHE = "/etc/zfs/zpool.cache";
    static final String ZFS_VERSION = "/sys/module/zfs/version";

    private final SystemRoot root;
    private final StateDir state;
    private final CommandRunner runner;
    private final Clock clock;
    private final java.util.function.Supplier<RunningKernel> running;

    public BootConfirm(SystemRoot root, StateDir state, CommandRunner runner, Clock clock) {
        this(root, state, runner, clock, () -> RunningKernel.detect(new RootFiles(root)));
    }

    /** With the running kernel given: a root other than / has none of its own (tests). */
    BootConfirm(SystemRoot root, StateDir state, CommandRunner runner, Clock clock,
            java.util.function.Supplier<RunningKernel> running) {
        this.root = root;
        this.state = state;
        this.runner = runner;
        this.clock = clock;
        this.running = running;
    }

    /** Facts of this boot, as the running system shows them under the root. */
    public BootConfirmation.BootFacts facts(BootConfirmation.Stage stage) throws IOException {
        RunningKernel r = running.get();
        String kernel = r.release() == null ? null : r.release().text();
        Path version = root.resolve(ZFS_VERSION);
        boolean loaded = Files.isDirectory(root.resolve("/sys/module/zfs"));
        String v = null;
        if (Files.isRegularFile(version)) {
            v = SystemRoot.printable(new String(Files.readAllBytes(version), StandardCharsets.US_ASCII).strip());
            if (v.length() > 64) {
                v = v.substring(0, 64);
            }
        }
        Boolean pools = stage == BootConfirmation.Stage.MODULES ? null : loaded && poolsImported();
        return new BootConfirmation.BootFacts(kernel, loaded, v, pools, clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
    }

    /** Without a cache file nothing is to be imported; with one, some pool must be imported. */
    boolean poolsImported() throws IOException {
        if (!Files.exists(root.resolve(ZPOOL_CACHE), LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        List<String> names = new ArrayList<>();
        try {
            int rc = run(List.of("zpool", "list", "-H", "-o", "name"), names);
            return rc == 0 && names.stream().anyMatch(n -> !n.isBlank());
        } catch (IOException e) {
            return false; // no zpool to ask: nothing imported that this boot can show
        }
    }

    /** Runs one stage; the lines go to the console and the journal. */
    public BootConfirmation.Result run(BootConfirmation.Stage stage, List<String> said) throws IOException {
        BootConfirmation.BootFacts f = facts(stage);
        try (ZfsguardLock lock = ZfsguardLock.acquire(state, Duration.ofSeconds(60))) {
            GuardState gs = new GuardState(state);
            BootConfirmation.Result r = BootConfirmation.decide(stage, gs.read(), f);
            gs.write(r.state());
            said.addAll(r.lines());
            List<String> done = new ArrayList<>();
            String error = null;
            BootTargetApplier applier = new BootTargetApplier(root, runner);
            try {
                switch (r.action()) {
                    case MAKE_DEFAULT -> {
                        if (BootLoader.of(root) == BootLoader.GRUB) {
                            done.addAll(applier.hold(r.target()));
                        }
                    }
                    case POINT_BACK -> done.addAll(applier.hold(r.target()));
                    case POINT_BACK_AND_REBOOT -> {
                        done.addAll(applier.hold(r.target()));
                        done.add("rebooting into " + r.target() + " (once: the trial is over, so that boot cannot revert again)");
                    }
                    case NONE -> {
                    }
                }
            } catch (IOException | RuntimeException e) {
                error = e.getMessage();
                done.add("could not point the boot loader at " + r.target() + ": " + error);
            }
            said.addAll(done);
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put("stage", stage.name().toLowerCase(java.util.Locale.ROOT));
            ev.put("kernel", f.kernel());
            ev.put("zfs_loaded", f.zfsLoaded());
            ev.put("zfs_version", f.zfsVersion());
            ev.put("pools_imported", f.poolsImported());
            ev.put("action", r.action().name().toLowerCase(java.util.Locale.ROOT));
            ev.put("target", r.target());
            ev.put("known_good", r.state().knownGood);
            ev.put("lines", List.copyOf(said));
            if (error != null) {
                ev.put("error", error);
            }
            EventJournal.of(state).append(r.event(), ev);
            if (r.action() == BootConfirmation.Action.POINT_BACK_AND_REBOOT && error == null) {
                run(List.of("systemctl", "reboot"), new ArrayList<>());
            }
            return r;
        }
    }

    private int run(List<String> argv, List<String> out) throws IOException {
        try {
            return runner.run(argv, out::add);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(argv.get(0) + " was interrupted");
        }
    }
}
