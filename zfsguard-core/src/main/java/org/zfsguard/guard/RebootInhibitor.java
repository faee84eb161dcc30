package org.zfsguard.guard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.zfsguard.system.SystemRoot;

/**
 * A systemd shutdown inhibitor held while zfsguard rebuilds ZFS, so that a
 * reboot (unattended-upgrades' Automatic-Reboot, a reboot command) waits for
 * the build instead of cutting it. {@code systemd-inhibit} holds the lock for
 * as long as its child runs; the child is {@code cat} reading a pipe from this
 * process, so the lock ends when this process ends, even by a crash.
 */
public final class RebootInhibitor implements AutoCloseable {
    static final Path SYSTEMD_RUN = Path.of("/run/systemd/system");
    static final List<Path> TOOL = List.of(Path.of("/usr/bin/systemd-inhibit"), Path.of("/bin/systemd-inhibit"));

    private final Process process;

    private RebootInhibitor(Process process) {
        this.process = process;
    }

    /**
     * Holds the inhibitor on the running system; nothing (an inhibitor that holds
     * nothing) for another root, without systemd, or without systemd-inhibit.
     */
    public static RebootInhibitor hold(SystemRoot root, String why) {
        if (!root.isHost() || !Files.isDirectory(SYSTEMD_RUN)) {
            return new RebootInhibitor(null);
        }
        for (Path tool : TOOL) {
            if (Files.isExecutable(tool)) {
                try {
                    Process p = new ProcessBuilder(List.of(tool.toString(), "--what=shutdown:sleep", "--who=zfsguard",
                            "--why=" + why, "--mode=block", "cat"))
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                    return new RebootInhibitor(p);
                } catch (IOException e) {
                    return new RebootInhibitor(null);
                }
            }
        }
        return new RebootInhibitor(null);
    }

    public boolean held() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        if (process != null) {
            try {
                process.getOutputStream().close(); // cat ends, and with it the inhibitor
                process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (IOException e) {
                // already gone
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (process.isAlive()) {
                    process.destroy();
                }
            }
        }
    }
}
