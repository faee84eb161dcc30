package org.zfsguard.deb;

/**
 * How much of a .deb zfsguard will read. A .deb reaches zfsguard from apt's
 * cache or from the operator's hand and is not trusted: each bound turns a
 * hostile or broken archive into a {@link DebFormatException} within bounded
 * time and memory.
 *
 * @param maxArMembers      debian-binary, control, data, and a few signatures at most
 * @param maxControlBytes   uncompressed control.tar (md5sums of a kernel is about 0.5 MB)
 * @param maxControlFile    the control file itself
 * @param maxDataEntries    entries of data.tar (a Debian kernel has about 6,000; headers about 20,000)
 * @param maxDataBytes      uncompressed bytes of data.tar read or skipped (a Debian arm64 kernel is about 400 MB)
 * @param maxMetaBytes      an OpenZFS META file (about 300 bytes)
 * @param xzMemoryKiB       xz decoder memory (xz -9 needs 65 MiB, dpkg's default -6 needs 9 MiB)
 *
 * The zstd decoder bounds its own window at 8 MiB (dpkg-deb uses at most that up to level 19).
 */
public record DebLimits(
        int maxArMembers,
        long maxControlBytes,
        int maxControlFile,
        int maxDataEntries,
        long maxDataBytes,
        int maxMetaBytes,
        int xzMemoryKiB) {

    public static final DebLimits DEFAULT =
            new DebLimits(8, 16L << 20, 1 << 20, 200_000, 2L << 30, 64 << 10, 72 << 10);
}
