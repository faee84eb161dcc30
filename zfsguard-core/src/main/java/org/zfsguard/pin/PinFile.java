package org.zfsguard.pin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.zfsguard.deb.ControlFields;
import org.zfsguard.dpkg.InstalledVersions;
import org.zfsguard.kernel.RootFiles;
import org.zfsguard.rebuild.CommandRunner;
import org.zfsguard.state.AtomicFiles;
import org.zfsguard.state.EventJournal;
import org.zfsguard.state.StateDir;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.zfs.OpenZfsMeta;
import org.zfsguard.zfs.OpenZfsSources;

/**
 * The compatibility pin on disk: {@code /etc/apt/preferences.d/zfsguard}, zfsguard's
 * own file (not a conffile), computed from what is on the machine only.
 */
public final class PinFile {
    public static final String PATH = "/etc/apt/preferences.d/zfsguard";
    private static final int MAX_FILE = 4 * 1024 * 1024;

    private PinFile() {
    }

    /**
     * The pin the machine calls for now; empty when no OpenZFS source is installed
     * (nothing to keep a kernel compatible with). Lists that cannot be read go to {@code problems}.
     */
    public static Optional<PinPlan> compute(SystemRoot root, List<String> problems) throws IOException {
        return compute(root, problems, Optional.empty());
    }

    /**
     * As {@link #compute(SystemRoot, List)}; with {@code download}, a newer zfs-dkms in the
     * lists whose Linux range is not known yet is fetched with apt's own download and read
     * (see {@link CandidateMeta}), so that the pin holds exactly the kernels it cannot build.
     */
    public static Optional<PinPlan> compute(SystemRoot root, List<String> problems,
            Optional<Function<Path, CommandRunner>> download)
            throws IOException {
        OpenZfsSources zfs = OpenZfsSources.read(new RootFiles(root));
        if (zfs.problem() != null) {
            problems.add(zfs.problem());
        }
        if (zfs.meta() == null) {
            return Optional.empty();
        }
        InstalledVersions installed = InstalledVersions.read(root);
        Set<String> installedPackages = new HashSet<>();
        for (Map.Entry<String, String> e : installed.all().entrySet()) {
            installedPackages.add(e.getKey() + "=" + e.getValue());
        }
        KernelPackageIndex index = AptLists.read(root, problems);
        Optional<String> installedZfs = installed.version(CompatibilityPin.ZFS_DKMS);
        Optional<OpenZfsMeta> candidate = Optional.empty();
        Optional<String> newer = CompatibilityPin.newerZfs(index, installedZfs).map(ControlFields::version);
        if (newer.isPresent()) {
            StateDir state = StateDir.of(root);
            candidate = CandidateMeta.known(root, state, newer.get(), problems);
            if (candidate.isEmpty() && download.isPresent()) {
                candidate = CandidateMeta.download(root, state, newer.get(), download.get(), problems);
            }
        }
        return Optional.of(CompatibilityPin.plan(index, zfs.meta(), installedZfs, candidate, installedPackages));
    }

    /** The file's text as it is, or empty when there is none. */
    public static Optional<String> current(SystemRoot root) throws IOException {
        Path p = root.resolveAll(PATH);
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            if (Files.size(p) > MAX_FILE) {
                return Optional.of("");
            }
            return Optional.of(Files.readString(p, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The reasons of the holds the file on disk carries (its Explanation lines), for status. */
    public static List<String> writtenReasons(SystemRoot root) {
        List<String> out = new ArrayList<>();
        try {
            for (String line : current(root).orElse("").split("\n")) {
                if (line.startsWith("Explanation: ")) {
                    out.add(line.substring("Explanation: ".length()));
                }
            }
        } catch (IOException | RuntimeException e) {
            // status shows the kernels; the pin adds to it and its absence is no error
        }
        return out;
    }

    /**
     * Writes {@code wanted} (or removes the file when empty) unless it is already so;
     * every change goes to the event journal. True when something changed.
     */
    public static boolean apply(SystemRoot root, StateDir state, Optional<PinPlan> wanted, String cause) throws IOException {
        Optional<String> text = wanted.map(PinPlan::preferences);
        Optional<String> now = current(root);
        if (text.equals(now)) {
            return false;
        }
        Path p = root.resolveAll(PATH);
        if (text.isPresent()) {
            Files.createDirectories(p.getParent());
            AtomicFiles.write(p, text.get().getBytes(StandardCharsets.UTF_8));
        } else {
            Files.deleteIfExists(p);
            AtomicFiles.fsyncDirectory(p.getParent());
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("cause", cause);
        fields.put("file", PATH);
        List<Map<String, String>> holds = new ArrayList<>();
        for (Hold h : wanted.map(PinPlan::holds).orElse(List.of())) {
            holds.add(Map.of("package", h.packageName(), "version", h.version(), "kernel", h.kernel().text()));
        }
        fields.put("holds", holds);
        wanted.flatMap(PinPlan::lifted).ifPresent(l -> fields.put("lifted", l));
        state.ensure();
        EventJournal.of(state).append(text.isPresent() ? "pin-written" : "pin-removed", fields);
        return true;
    }
}
