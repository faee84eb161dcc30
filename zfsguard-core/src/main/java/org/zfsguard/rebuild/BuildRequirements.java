package org.zfsguard.rebuild;

/**
 * Free resources a ZFS build needs before it may start.
 *
 * <p>Measured with {@code docs/measure-zfs-build.sh}: a real {@code dkms build} of Debian
 * 12's zfs-dkms 2.1.11 for 6.1.0-56-amd64 (dkms 3.0.10, gcc 12, one job, x86_64, 2 shared
 * CPUs): {@code /var/lib/dkms/zfs} peaked at 302 MiB (sampled every 2 s; DKMS deletes
 * the build tree afterwards, leaving 9 MiB), the largest single process peaked at
 * 344 MiB RSS (352,536 KiB, GNU time), 274 objects, 284 s of CPU, 7m26s wall at nice 19.
 * <ul>
 * <li><b>Disk, 768 MiB</b> on the file system of {@code /var/lib/dkms}: 2.5 times the
 *     measured peak, for what 2 s sampling can miss, the larger 2.2+ code base, arm64
 *     objects and the installed copy under /lib/modules. Running out mid-build would also
 *     fill the file system the pool's services log to.</li>
 * <li><b>Memory, 512 MiB per job</b> of MemAvailable plus free swap: 1.5 times the
 *     measured 344 MiB peak, so one job on a 1-2 GiB board cannot push the system into
 *     the OOM killer, which would take the pool's services with it.</li>
 * </ul>
 * Not yet measured on arm64; the figures there are expected to be of the same order
 * (same sources, same compiler), which is an inference.
 */
public record BuildRequirements(long minFreeDiskMiB, long minMemoryMiBPerJob) {
    public static BuildRequirements defaults() {
        return new BuildRequirements(768, 512);
    }

    public long memoryFor(int jobs) {
        return minMemoryMiBPerJob * jobs;
    }
}
