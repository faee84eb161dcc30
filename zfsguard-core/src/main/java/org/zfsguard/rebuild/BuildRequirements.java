package org.zfsguard.rebuild;

/**
 * Free resources a ZFS build needs before it may start.
 *
 * <p>Defaults, and where they come from (estimates; replace with figures measured from a
 * real build in the Debian 12 chroot: {@code du -sm /var/lib/dkms/zfs/<v>/build} after the
 * build, and the peak RSS of {@code cc1} from {@code /usr/bin/time -v}):
 * <ul>
 * <li><b>Disk, 1536 MiB</b> on the file system of {@code /var/lib/dkms}: DKMS copies the
 *     whole source tree into {@code build/} (OpenZFS 2.x ships about 30-40 MiB of source),
 *     runs configure and compiles some 400 objects there; kernels built with debug info
 *     (Debian's) make every object carry DWARF, which multiplies the tree several times.
 *     1.5 GiB leaves room for that plus the installed copy under /lib/modules.</li>
 * <li><b>Memory, 512 MiB per job</b> of MemAvailable plus free swap: the largest ZFS
 *     translation units (the amalgamated zstd library, the Lua interpreter) are where
 *     {@code cc1} peaks, a few hundred MiB at -O2; one job on a 1-2 GiB board must not
 *     push the system into the OOM killer, which would take the pool's services with it.</li>
 * </ul>
 */
public record BuildRequirements(long minFreeDiskMiB, long minMemoryMiBPerJob) {
    public static BuildRequirements defaults() {
        return new BuildRequirements(1536, 512);
    }

    public long memoryFor(int jobs) {
        return minMemoryMiBPerJob * jobs;
    }
}
