package org.zfsguard.backup;

/** What a manifest line describes; the code is its first field. */
public enum EntryType {
    FILE("f"), DIR("d"), SYMLINK("l");

    private final String code;

    EntryType(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    static EntryType ofCode(String code) {
        for (EntryType t : values()) {
            if (t.code.equals(code)) {
                return t;
            }
        }
        return null;
    }
}
