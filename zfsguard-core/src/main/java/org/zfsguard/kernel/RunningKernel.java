package org.zfsguard.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.zfsguard.system.SystemRoot;

/** The kernel that is running, known only when the root is the host itself. */
public record RunningKernel(KernelRelease release, String reason) {

    /**
     * A chroot's / is not init's /. Reading /proc/1/root needs privileges; without them
     * (an ordinary user on the live system) the answer is "not a chroot".
     */
    static boolean inChroot() {
        try {
            return !Files.isSameFile(Path.of("/"), Path.of("/proc/1/root"));
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    public static RunningKernel detect(RootFiles files) {
        if (!files.root().isHost()) {
            return new RunningKernel(null, "unknown: acting on a root other than /");
        }
        if (inChroot()) {
            return new RunningKernel(null, "unknown: running inside a chroot (the kernel is the build host's)");
        }
        try {
            String s = files.readSmallText("/proc/sys/kernel/osrelease", 256);
            if (s == null) {
                return new RunningKernel(null, "unknown: /proc/sys/kernel/osrelease is not readable (chroot without /proc?)");
            }
            String t = s.strip();
            String problem = KernelRelease.problem(t);
            if (problem != null) {
                return new RunningKernel(null, "unknown: /proc/sys/kernel/osrelease is not a release (" + problem + "): "
                        + SystemRoot.printable(t));
            }
            return new RunningKernel(KernelRelease.parse(t), "/proc/sys/kernel/osrelease");
        } catch (IOException e) {
            return new RunningKernel(null, "unknown: " + SystemRoot.printable(String.valueOf(e.getMessage())));
        }
    }
}
