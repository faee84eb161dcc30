package org.zfsguard.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.zfsguard.config.Config;
import org.zfsguard.config.ConfigException;
import org.zfsguard.guard.GuardState;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.state.StateDir;
import org.zfsguard.system.SystemRoot;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/** The boot guard's part of {@code status}: what the boot loader loads, the known-good kernel, the trial, the last confirmed boot. */
final class BootGuardStatus {
    private final String mode;
    private final String loads;
    private final GuardState.Data state;

    private BootGuardStatus(String mode, String loads, GuardState.Data state) {
        this.mode = mode;
        this.loads = loads;
        this.state = state;
    }

    static BootGuardStatus of(SystemRoot root, ReadinessReport report) {
        String mode;
        try {
            mode = Config.load(root).bootGuard().name().toLowerCase(java.util.Locale.ROOT);
        } catch (ConfigException e) {
            mode = Config.defaults().bootGuard().name().toLowerCase(java.util.Locale.ROOT);
        }
        GuardState.Data d;
        try {
            d = new GuardState(StateDir.of(root)).read();
        } catch (IOException | RuntimeException e) {
            d = new GuardState.Data();
        }
        String loads = report.nextBoot().release() == null ? null : report.nextBoot().release().text();
        return new BootGuardStatus(mode, loads, d);
    }

    JsonObject json() {
        JsonObject o = new JsonObject();
        o.addProperty("mode", mode);
        o.addProperty("bootLoaderLoads", loads);
        o.addProperty("knownGood", state.knownGood);
        o.addProperty("knownGoodSource", state.knownGood == null ? null : state.knownGoodSource);
        JsonObject trial = null;
        if (state.trial != null) {
            trial = new JsonObject();
            trial.addProperty("kernel", state.trial.kernel);
            trial.addProperty("fallback", state.trial.fallback);
            trial.addProperty("started", state.trial.started);
            trial.addProperty("boots", state.trial.boots);
        }
        o.add("trialPending", trial);
        JsonObject last = null;
        if (state.lastConfirmedBoot != null && state.lastConfirmedBoot.kernel != null) {
            last = new JsonObject();
            last.addProperty("kernel", state.lastConfirmedBoot.kernel);
            last.addProperty("at", state.lastConfirmedBoot.at);
            last.addProperty("zfsVersion", state.lastConfirmedBoot.zfsVersion);
        }
        o.add("lastConfirmedBoot", last);
        JsonArray failed = new JsonArray();
        state.failedTrials.forEach(failed::add);
        o.add("failedTrials", failed);
        return o;
    }

    List<String> lines() {
        List<String> l = new ArrayList<>();
        l.add("boot guard (" + mode + "): the boot loader loads " + (loads == null ? "an unknown kernel" : loads)
                + "; known-good kernel: " + (state.knownGood == null ? "none recorded yet"
                        : state.knownGood + " (" + state.knownGoodSource + ")"));
        if (state.trial != null) {
            l.add("trial boot pending: " + state.trial.kernel + " (" + state.trial.boots + " boot(s) so far; "
                    + state.trial.fallback + " comes back if ZFS does not confirm)");
        }
        if (state.lastConfirmedBoot != null && state.lastConfirmedBoot.kernel != null) {
            l.add("last confirmed boot: " + state.lastConfirmedBoot.kernel + " at " + state.lastConfirmedBoot.at
                    + (state.lastConfirmedBoot.zfsVersion == null ? "" : " with ZFS " + state.lastConfirmedBoot.zfsVersion));
        }
        for (String k : state.failedTrials) {
            l.add("trial boot failed: " + k + " (not tried again until zfsguard rebuild builds it anew)");
        }
        return l;
    }
}
