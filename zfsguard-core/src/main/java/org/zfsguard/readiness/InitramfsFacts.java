package org.zfsguard.readiness;

/**
 * ZFS in one kernel's initramfs.
 *
 * @param file the image looked at, or null
 * @param format how it is packed ({@code cpio+gzip}), or null
 * @param vermagicRelease vermagic release of the zfs.ko inside, or null
 * @param version version of the zfs.ko inside, or null
 * @param detail why it is not usable, or null
 */
public record InitramfsFacts(State state, String file, String format, String vermagicRelease, String version, String detail) {

    public enum State {
        /** The system does not load ZFS from the initramfs. */
        NOT_USED("not used"),
        /** Not looked at, because the module on disk already decides the verdict. */
        NOT_CHECKED("-"),
        PRESENT("yes"),
        MISSING("no zfs.ko"),
        NO_FILE("no initrd"),
        UNREADABLE("unreadable");

        public final String label;

        State(String label) {
            this.label = label;
        }
    }

    public static InitramfsFacts of(State s) {
        return new InitramfsFacts(s, null, null, null, null, null);
    }
}
