package org.zfsguard.rebuild;

/**
 * Free resources measured on the target just before planning.
 *
 * @param freeDiskMiB      available space on the file system of {@code /var/lib/dkms}
 * @param availableMemoryMiB MemAvailable plus SwapFree from {@code /proc/meminfo}
 */
public record HostResources(long freeDiskMiB, long availableMemoryMiB) {
}
