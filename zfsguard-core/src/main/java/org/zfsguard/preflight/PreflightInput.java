package org.zfsguard.preflight;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.zfsguard.apt.ChangeSet;
import org.zfsguard.config.Config;
import org.zfsguard.deb.DebPackage;

/**
 * Everything the preflight decides on, gathered by the imperative shell.
 *
 * @param incoming     what the .deb files of the operation contain, by package name (those that could be read)
 * @param mode         {@code preflight} from zfsguard.conf
 * @param envOverride  the value of {@code ZFSGUARD_PREFLIGHT}, when set
 * @param aptArguments the apt command line after "apt", when known, to print the exact override command
 */
public record PreflightInput(
        InstalledState state,
        ChangeSet changes,
        Map<String, DebPackage> incoming,
        Config.PreflightMode mode,
        Optional<String> envOverride,
        Optional<String> aptArguments) {

    public PreflightInput {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(changes, "changes");
        incoming = Map.copyOf(incoming);
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(envOverride, "envOverride");
        Objects.requireNonNull(aptArguments, "aptArguments");
    }
}
