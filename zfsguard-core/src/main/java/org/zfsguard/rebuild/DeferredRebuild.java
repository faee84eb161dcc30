package org.zfsguard.rebuild;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.zfsguard.message.NextStep;
import org.zfsguard.system.SystemRoot;

/**
 * {@code build = deferred}: after a kernel change, the rebuild starts in the
 * background as a transient systemd unit, outside apt's run, so apt returns at
 * once and the build is still one job under the temperature guard. Without a
 * running systemd (an image build, a chroot) nothing is started and the
 * command to run is named instead.
 */
public final class DeferredRebuild {
    public static final String UNIT = "zfsguard-rebuild";
    /**
     * How long the background rebuild waits for apt and dpkg. It starts while apt, whose
     * hook started it, still holds the dpkg frontend lock; apt releases it moments later,
     * but unattended-upgrades keeps it through a whole series of dpkg runs. Background work
     * can afford to wait that out; a rebuild that still finds dpkg busy then refuses.
     */
    public static final int DPKG_WAIT_SECONDS = 30 * 60;

    /** Starts a process and returns its exit status; a fake in tests. */
    public interface Starter {
        int start(List<String> argv) throws IOException, InterruptedException;
    }

    private static final NextStep REBUILD = NextStep.zfsguardAsRoot("rebuild");

    private DeferredRebuild() {
    }

    /** The exact command: a transient service that systemd forgets once it ends. */
    public static List<String> command() {
        return List.of("systemd-run", "--unit=" + UNIT, "--collect",
                "--description=zfsguard: rebuild ZFS for the kernels that need it",
                "/usr/bin/zfsguard", "rebuild", "--wait-for-dpkg", String.valueOf(DPKG_WAIT_SECONDS), "--all", "--yes");
    }

    /** Starts the background rebuild when it can, and returns the lines to tell the operator. */
    public static List<String> start(SystemRoot root, Path systemdRunDir, Starter starter) {
        if (!root.isHost() || !Files.isDirectory(systemdRunDir)) {
            return List.of("build = deferred, but systemd is not running here: nothing started",
                    "  " + REBUILD.line(root));
        }
        try {
            int status = starter.start(command());
            if (status == 0) {
                return List.of("rebuild started in the background as the systemd unit " + UNIT
                        + " (one job, under the temperature limit)",
                        "  next: journalctl -u " + UNIT + " -f   to follow it; then: zfsguard check");
            }
            return List.of("could not start the background rebuild (systemd-run exited " + status + ")",
                    "  " + REBUILD.line(root));
        } catch (IOException e) {
            return List.of("could not start the background rebuild: " + e.getMessage(), "  " + REBUILD.line(root));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of("background rebuild not started (interrupted)", "  " + REBUILD.line(root));
        }
    }

    /** The real starter: the command's output goes to the journal of the unit, not to apt. */
    public static int run(List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor();
    }
}
