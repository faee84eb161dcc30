package org.zfsguard.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.zfsguard.system.MountTable;
import org.zfsguard.system.SystemRoot;

/** The kernel that is running, known only when the root is the host itself. */
public record RunningKernel(KernelRelease release, String reason) {

    /**
     * A chroot's / is not init's /. Reading /proc/1/root needs privileges that a
     * container's root may lack; then the mount table decides: a chroot into a
     * plain directory (an image build) has no mount at its /, because the kernel
     * lists only the mounts a process can reach, relative to its root.
     */
    static boolean inChroot() {
        try {
            if (!Files.isSameFile(Path.of("/"), Path.of("/proc/1/root"))) {
                return true;
            }
        } catch (IOException | SecurityException e) {
            // Not allowed to look at init: ask the mount table.
        }
        try {
            return !rootIsAMountPoint(Files.readString(Path.of("/proc/self/mountinfo")));
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** True when some line of /proc/self/mountinfo mounts at "/" (field 5, the mount point). */
    static boolean rootIsAMountPoint(String mountinfo) {
        return MountTable.parse(mountinfo).isMountPoint("/");
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
