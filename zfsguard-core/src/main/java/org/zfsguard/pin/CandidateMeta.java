package org.zfsguard.pin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.zfsguard.apt.PackageNames;
import org.zfsguard.deb.DebFormatException;
import org.zfsguard.deb.DebLimits;
import org.zfsguard.deb.DebPackage;
import org.zfsguard.io.RegularFile;
import org.zfsguard.rebuild.CommandRunner;
import org.zfsguard.state.AtomicFiles;
import org.zfsguard.state.StateDir;
import org.zfsguard.state.StateFiles;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.zfs.OpenZfsMeta;

/**
 * The Linux range of a {@code zfs-dkms} version that is in apt's lists but not
 * installed. The index does not carry it; the package does (its {@code META}).
 * It is read once per version, from the {@code .deb} in apt's archive cache or
 * one downloaded with apt's own {@code apt-get download}, and kept in
 * {@code /var/lib/zfsguard/openzfs-meta/} so that {@code apt clean} does not
 * make it unknown again.
 */
public final class CandidateMeta {
    public static final String ARCHIVES = "/var/cache/apt/archives";
    static final String CACHE = "openzfs-meta";
    static final String DOWNLOADS = "candidates";

    private CandidateMeta() {
    }

    /** What is known without the network: zfsguard's cache, then apt's archive cache. */
    public static Optional<OpenZfsMeta> known(SystemRoot root, StateDir state, String version, List<String> problems) {
        if (!PackageNames.isValidVersion(version)) {
            return Optional.empty();
        }
        Path cached = state.path().resolve(CACHE).resolve(fileVersion(version));
        try {
            if (SystemRoot.isPlainFile(cached)) {
                return Optional.of(OpenZfsMeta.parse(new String(RegularFile.read(cached, OpenZfsMeta.MAX_BYTES), StandardCharsets.UTF_8)));
            }
        } catch (IOException | IllegalArgumentException e) {
            problems.add(cached + ": " + SystemRoot.printable(String.valueOf(e.getMessage()))
                    + "; it is read again from the package");
        }
        try {
            for (Path deb : debsOf(root.resolveAll(ARCHIVES), version)) {
                Optional<OpenZfsMeta> m = read(deb, ARCHIVES + "/" + deb.getFileName(), problems);
                if (m.isPresent()) {
                    remember(state, version, m.get(), problems);
                    return m;
                }
            }
        } catch (IOException e) {
            problems.add(ARCHIVES + ": " + SystemRoot.printable(String.valueOf(e.getMessage())));
        }
        return Optional.empty();
    }

    /**
     * Downloads {@code zfs-dkms=version} with {@code apt-get download} (run by
     * {@code aptIn}, in the directory it is given) into the state directory, reads
     * its META, remembers it and deletes the package again.
     */
    public static Optional<OpenZfsMeta> download(SystemRoot root, StateDir state, String version,
            Function<Path, CommandRunner> aptIn, List<String> problems) {
        if (!PackageNames.isValidVersion(version)) {
            return Optional.empty();
        }
        Path dir = state.path().resolve(DOWNLOADS);
        try {
            state.ensure();
            if (!StateFiles.requireDirectoryOrAbsent(dir)) {
                StateFiles.requireDirectory(dir, "rwxr-xr-x");
            }
            clear(dir);
            List<String> argv = new ArrayList<>(List.of("apt-get", "download", "-q",
                    "-o", "APT::Sandbox::User=root", "-o", "Acquire::Retries=0",
                    "-o", "Acquire::http::Timeout=30", "-o", "Acquire::https::Timeout=30"));
            if (!root.isHost()) {
                argv.addAll(List.of("-o", "Dir=" + root.path() + "/"));
            }
            argv.add(CompatibilityPin.ZFS_DKMS + "=" + version);
            List<String> said = new ArrayList<>();
            int rc = aptIn.apply(dir).run(argv, said::add);
            List<Path> debs = debsOf(dir, version);
            if (rc != 0 || debs.isEmpty()) {
                problems.add("apt-get download " + CompatibilityPin.ZFS_DKMS + "=" + version + " failed (exit " + rc + ")"
                        + (said.isEmpty() ? "" : ": " + SystemRoot.printable(said.get(said.size() - 1))));
                return Optional.empty();
            }
            Optional<OpenZfsMeta> m = read(debs.get(0), CompatibilityPin.ZFS_DKMS + "_" + version, problems);
            m.ifPresent(meta -> remember(state, version, meta, problems));
            return m;
        } catch (IOException e) {
            problems.add("cannot download " + CompatibilityPin.ZFS_DKMS + " " + version + ": "
                    + SystemRoot.printable(String.valueOf(e.getMessage())));
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            try {
                clear(dir);
            } catch (IOException e) {
                // the next download clears it again
            }
        }
    }

    /** apt's file name for a version: an epoch's colon is written {@code %3a}. */
    static String fileVersion(String version) {
        return version.replace(":", "%3a");
    }

    private static List<Path> debsOf(Path dir, String version) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        String prefix = CompatibilityPin.ZFS_DKMS + "_" + fileVersion(version) + "_";
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, prefix + "*.deb")) {
            for (Path p : s) {
                if (SystemRoot.isPlainFile(p)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static Optional<OpenZfsMeta> read(Path deb, String name, List<String> problems) {
        try {
            return DebPackage.read(deb, name, DebLimits.DEFAULT, DebPackage.Scope.FIRST_ANSWER).zfsSource();
        } catch (DebFormatException e) {
            problems.add(e.getMessage());
            return Optional.empty();
        }
    }

    private static void remember(StateDir state, String version, OpenZfsMeta m, List<String> problems) {
        String text = "Name: zfs\nVersion: " + m.version() + "\n"
                + (m.release() == null ? "" : "Release: " + m.release() + "\n")
                + "Linux-Minimum: " + m.linuxMinimum() + "\nLinux-Maximum: " + m.linuxMaximum() + "\n";
        try {
            state.ensure();
            Path dir = state.path().resolve(CACHE);
            if (!StateFiles.requireDirectoryOrAbsent(dir)) {
                StateFiles.requireDirectory(dir, "rwxr-xr-x");
            }
            AtomicFiles.write(dir.resolve(fileVersion(version)), text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            problems.add("cannot remember OpenZFS " + m.version() + "'s range: "
                    + SystemRoot.printable(String.valueOf(e.getMessage())));
        }
    }

    private static void clear(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
