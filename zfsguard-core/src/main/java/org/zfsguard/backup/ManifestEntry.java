package org.zfsguard.backup;

/**
 * One file system object of a boot set. {@code path} is absolute as the target
 * system names it; {@code sha256} and {@code size} are meaningful for files,
 * {@code linkTarget} for symlinks (verbatim, may be absolute or leave the set).
 */
public record ManifestEntry(EntryType type, int mode, int uid, int gid, long size, String sha256, String path,
        String linkTarget) {

    public static ManifestEntry file(String path, int mode, int uid, int gid, long size, String sha256) {
        return new ManifestEntry(EntryType.FILE, mode, uid, gid, size, sha256, path, null);
    }

    public static ManifestEntry dir(String path, int mode, int uid, int gid) {
        return new ManifestEntry(EntryType.DIR, mode, uid, gid, 0, null, path, null);
    }

    public static ManifestEntry symlink(String path, int uid, int gid, String target) {
        return new ManifestEntry(EntryType.SYMLINK, 0777, uid, gid, 0, null, path, target);
    }

    public ManifestEntry withContent(long newSize, String newSha256) {
        return new ManifestEntry(type, mode, uid, gid, newSize, newSha256, path, linkTarget);
    }
}
