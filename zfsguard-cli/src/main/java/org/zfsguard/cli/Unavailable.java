package org.zfsguard.cli;

/** For commands whose surface is fixed but whose work this version does not do yet. */
final class Unavailable {
    private Unavailable() {
    }

    static UserError command(String name) {
        GlobalOptions.root(); // a bad --root is still reported first
        return new UserError("'" + name + "' is not available in zfsguard " + VersionProvider.version() + " yet",
                "zfsguard --help   (lists the commands this version provides)");
    }
}
