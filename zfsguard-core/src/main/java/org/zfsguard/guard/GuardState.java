package org.zfsguard.guard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.state.AtomicFiles;
import org.zfsguard.state.StateDir;
import org.zfsguard.state.StateFiles;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;

/**
 * The boot guard's memory in {@code /var/lib/zfsguard/boot-guard.json}: the
 * known-good kernel, the trial under way, the kernels whose trial failed, the
 * kernels zfsguard restored only to hold the boot target, and the last boot the
 * boot-time unit recorded. Written atomically (temp, fsync, rename), under
 * zfsguard's lock by its callers. Kernel names read back are validated: one that
 * is not a kernel release is dropped, never used in a path.
 */
public final class GuardState {
    public static final String FILE = "boot-guard.json";
    private static final long MAX_BYTES = 256 * 1024;
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    /** The stored form; public fields for gson. */
    public static final class Data {
        public String knownGood;
        /** "confirmed boot" or "before a kernel change" (the boot set that booted before apt changed it). */
        public String knownGoodSource;
        public String knownGoodSince;
        public TrialData trial;
        public List<String> failedTrials = new ArrayList<>();
        public List<String> restoredByGuard = new ArrayList<>();
        public BootRecord lastBoot;
        public BootRecord lastConfirmedBoot;
    }

    /** A trial boot: the kernel, the one to return to, and how many boots it has had. */
    public static final class TrialData {
        public String kernel;
        public String fallback;
        public String started;
        public int boots;
        /** Reboots the boot-time unit asked for to leave this trial; at most one, so no loop. */
        public int revertReboots;
    }

    /** One boot as the boot-time unit saw it. */
    public static final class BootRecord {
        public String kernel;
        public String at;
        public boolean zfsLoaded;
        public String zfsVersion;
        /** null until the later unit ran; true when every cached pool imported (or there are none). */
        public Boolean poolsImported;
    }

    private final Path file;
    private final StateDir state;

    public GuardState(StateDir state) {
        this.state = state;
        this.file = state.path().resolve(FILE);
    }

    public Path file() {
        return file;
    }

    /** The state, or an empty one when there is none; a damaged file counts as empty (nothing known is safer than a guess). */
    public Data read() {
        try {
            StateFiles.requireRegularOrAbsent(file);
            if (Files.size(file) > MAX_BYTES) {
                return new Data();
            }
            Data d = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), Data.class);
            return d == null ? new Data() : clean(d);
        } catch (NoSuchFileException e) {
            return new Data();
        } catch (IOException | JsonParseException | IllegalStateException e) {
            return new Data();
        }
    }

    public void write(Data d) throws IOException {
        state.ensure();
        StateFiles.requireRegularOrAbsent(file);
        AtomicFiles.write(file, GSON.toJson(d).getBytes(StandardCharsets.UTF_8));
    }

    static Data clean(Data d) {
        d.knownGood = valid(d.knownGood);
        if (d.trial != null) {
            d.trial.kernel = valid(d.trial.kernel);
            d.trial.fallback = valid(d.trial.fallback);
            if (d.trial.kernel == null) {
                d.trial = null;
            }
        }
        d.failedTrials = validList(d.failedTrials);
        d.restoredByGuard = validList(d.restoredByGuard);
        for (BootRecord b : new BootRecord[] {d.lastBoot, d.lastConfirmedBoot}) {
            if (b != null) {
                b.kernel = valid(b.kernel);
            }
        }
        return d;
    }

    private static String valid(String k) {
        return k != null && KernelRelease.isValid(k) ? k : null;
    }

    private static List<String> validList(List<String> l) {
        List<String> out = new ArrayList<>();
        if (l != null) {
            for (String k : new LinkedHashSet<>(l)) {
                if (valid(k) != null) {
                    out.add(k);
                }
            }
        }
        return out;
    }
}
