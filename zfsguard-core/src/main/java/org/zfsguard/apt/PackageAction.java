package org.zfsguard.apt;

import java.util.Objects;
import java.util.Optional;

/**
 * One line of the package list apt sends to {@code DPkg::Pre-Install-Pkgs}
 * hooks: what happens to one package. Versions and architectures are empty
 * where apt writes {@code -} (not installed before, or removed); architectures
 * are always empty in protocol version 2.
 *
 * @param line the 1-based line of the stream, for messages
 */
public record PackageAction(
        String name,
        Optional<String> oldVersion,
        Optional<String> oldArch,
        Direction direction,
        Optional<String> newVersion,
        Optional<String> newArch,
        Action action,
        Optional<String> debPath,
        int line) {

    /** The operator apt writes between the versions: how the new one compares to the old. */
    public enum Direction {
        /** {@code <}: old older than new, or nothing installed before. */
        UP("<"),
        /** {@code >}: old newer than new, or nothing installed after (removal). */
        DOWN(">"),
        /** {@code =}: the same version again (reinstall). */
        SAME("=");

        private final String symbol;

        Direction(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }

        static Optional<Direction> of(String s) {
            for (Direction d : values()) {
                if (d.symbol.equals(s)) {
                    return Optional.of(d);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * The last column. apt writes {@code **REMOVE**} for purges as well, so a
     * purge cannot be told from a removal here.
     */
    public enum Action {
        /** Unpack this .deb ({@link #debPath()} is set). */
        DEB_PATH,
        /** {@code **CONFIGURE**}. */
        CONFIGURE,
        /** {@code **REMOVE**}: remove or purge. */
        REMOVE,
        /** {@code **ERROR**}: apt installs the package but has no absolute path for its .deb. */
        NO_FILE
    }

    public PackageAction {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(oldVersion, "oldVersion");
        Objects.requireNonNull(oldArch, "oldArch");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(newVersion, "newVersion");
        Objects.requireNonNull(newArch, "newArch");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(debPath, "debPath");
        if (debPath.isPresent() != (action == Action.DEB_PATH)) {
            throw new IllegalArgumentException("a .deb path goes with DEB_PATH and only with it");
        }
    }

    /** True when the package is installed after this action (unpacked or configured). */
    public boolean installs() {
        return action != Action.REMOVE;
    }
}
