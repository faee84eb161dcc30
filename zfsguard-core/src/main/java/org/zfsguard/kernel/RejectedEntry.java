package org.zfsguard.kernel;

/**
 * Something that looked like a kernel but could not be used: an invalid
 * release name, a symlink loop, a file where a directory belongs, or a
 * directory holding only DKMS leftovers.
 *
 * @param path the target path, printable
 * @param reason why it is not counted as a kernel
 * @param leftover true for module directories of a removed kernel (harmless, reported for cleanup)
 */
public record RejectedEntry(String path, String reason, boolean leftover) {
}
