package org.zfsguard.initramfs;

import java.util.List;

import org.zfsguard.zfs.ModuleInfo;

/**
 * What an initramfs holds of ZFS.
 *
 * @param format how it was packed, e.g. {@code uImage+cpio+zstd}
 * @param zfsPath path of zfs.ko inside it for the kernel asked about, or null
 * @param zfs its modinfo, or null when absent or unreadable
 * @param zfsProblem why zfs.ko was found but could not be read, or null
 * @param otherZfsPaths zfs.ko files for other kernels (a stale copy)
 */
public record InitramfsScan(String format, String zfsPath, ModuleInfo zfs, String zfsProblem, List<String> otherZfsPaths) {
    public boolean hasZfs() {
        return zfsPath != null;
    }
}
