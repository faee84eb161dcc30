package org.zfsguard.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.zfsguard.state.AtomicFiles;
import org.zfsguard.system.MountTable;
import org.zfsguard.system.SystemRoot;

/**
 * Puts a boot set back: checks every blob first, never writes outside the
 * system root or through a symlink inside the set, refuses to overwrite files
 * an installed package owns (unless forced), writes each file under a
 * temporary name and renames it into place, then rebuilds the module index.
 */
public final class Restorer {
    public record Options(boolean force, boolean dryRun, boolean activate) {
    }

    private enum Action { CREATE, REPLACE, KEEP }

    private record Step(ManifestEntry entry, Path host, Action action) {
    }

    private final SystemRoot root;
    private final BackupStore store;
    private final PackageOwnership ownership;
    private final Depmod depmod;

    public Restorer(SystemRoot root, BackupStore store, PackageOwnership ownership, Depmod depmod) {
        this.root = root;
        this.store = store;
        this.ownership = ownership;
        this.depmod = depmod;
    }

    /**
     * Restores {@code set}; a real run holds the store lock, so that no
     * retention or garbage collection removes a blob while it is copied.
     */
    public RestoreOutcome restore(BackupSet set, Options options) throws IOException {
        return options.dryRun() ? restoreHeld(set, options) : store.locked(() -> restoreHeld(set, options));
    }

    private RestoreOutcome restoreHeld(BackupSet set, Options options) throws IOException {
        VerifyReport report = store.verify(set);
        if (!report.ok()) {
            store.journal("restore-refused", Map.of("kernel", set.kernel(), "id", set.id(), "reason", "verify failed"));
            return new RestoreOutcome.Refused(set, RestoreOutcome.Why.VERIFY_FAILED, "backup " + set.id() + " failed verification; nothing was restored",
                    report.problems());
        }
        List<String> conflicts = new ArrayList<>();
        List<Step> steps = plan(set, conflicts);
        if (!conflicts.isEmpty()) {
            return new RestoreOutcome.Refused(set, RestoreOutcome.Why.CONFLICTS, "the system has something else where the backup has files", conflicts);
        }
        List<String> replaced = steps.stream()
                .filter(s -> s.action() == Action.REPLACE && s.entry().type() != EntryType.DIR)
                .map(s -> s.entry().path()).toList();
        Map<String, String> owned = replaced.isEmpty() ? Map.of() : ownership.owners(replaced);
        if (!owned.isEmpty() && !options.force()) {
            List<String> details = new ArrayList<>();
            owned.forEach((path, pkg) -> details.add(SystemRoot.printable(path) + " (package " + pkg + ")"));
            store.journal("restore-refused", Map.of("kernel", set.kernel(), "id", set.id(),
                    "reason", "owned by packages", "packages", new ArrayList<>(new LinkedHashSet<>(owned.values()))));
            return new RestoreOutcome.Refused(set, RestoreOutcome.Why.OWNED_BY_PACKAGES, owned.size() + " file(s) that differ from the backup belong to an installed package",
                    details);
        }
        List<String> readOnly = options.dryRun() ? List.of() : readOnlyPlaces(steps, options.activate());
        if (!readOnly.isEmpty()) {
            return new RestoreOutcome.Refused(set, RestoreOutcome.Why.READ_ONLY,
                    "a file system it must write to is mounted read-only; nothing was restored", readOnly);
        }
        boolean modules = set.manifest().entries().stream()
                .anyMatch(e -> e.path().equals("/lib/modules/" + set.kernel()));
        if (options.dryRun()) {
            List<String> lines = new ArrayList<>();
            for (Step s : steps) {
                if (s.action() != Action.KEEP) {
                    lines.add(describe(s));
                }
            }
            long keep = steps.stream().filter(s -> s.action() == Action.KEEP).count();
            lines.add("keep " + keep + " object(s) that already match the backup");
            if (modules) {
                lines.add("run depmod -b " + root.path() + " " + set.kernel());
            }
            if (options.activate()) {
                // The run restores the files first, then re-points the links: the plan sees them as restored.
                Set<String> restored = new LinkedHashSet<>();
                set.manifest().entries().forEach(e -> restored.add(e.path()));
                lines.addAll(BootActivation.plan(root, set.kernel(), restored));
            }
            return new RestoreOutcome.Planned(set, lines);
        }
        int written = apply(set, steps);
        int unchanged = (int) steps.stream().filter(s -> s.action() == Action.KEEP).count();
        List<String> notes = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (modules) {
            try {
                depmod.run(root, set.kernel());
                notes.add("depmod " + set.kernel() + ": module index rebuilt");
            } catch (IOException e) {
                warnings.add("depmod for " + set.kernel() + " failed: " + e.getMessage());
            }
        }
        if (options.activate()) {
            try {
                notes.addAll(BootActivation.activate(root, set.kernel()));
            } catch (IOException e) {
                warnings.add("activating " + set.kernel() + " failed: " + e.getMessage());
            }
        }
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("kernel", set.kernel());
        ev.put("id", set.id());
        ev.put("written", written);
        ev.put("unchanged", unchanged);
        ev.put("forced_over_packages", new ArrayList<>(new LinkedHashSet<>(owned.values())));
        ev.put("activate", options.activate());
        ev.put("warnings", warnings);
        store.journal("restore", ev);
        return new RestoreOutcome.Restored(set, written, unchanged, notes, warnings);
    }

    /**
     * The places the restore would write to that are on a read-only file
     * system now (some Armbian images mount /boot read-only), each with the
     * command that makes it writable. Checked before the first write, so that
     * a restore never stops half done for that reason.
     */
    private List<String> readOnlyPlaces(List<Step> steps, boolean activate) throws IOException {
        Set<Path> dirs = new LinkedHashSet<>();
        for (Step s : steps) {
            if (s.action() != Action.KEEP) {
                dirs.add(existingAncestor(s.host().getParent()));
            }
        }
        if (activate) {
            dirs.add(existingAncestor(root.resolveParents("/boot")));
        }
        MountTable mounts = null;
        Map<String, String> byMount = new LinkedHashMap<>();
        for (Path d : dirs) {
            if (d == null || !onReadOnlyFileSystem(d)) {
                continue;
            }
            if (mounts == null) {
                mounts = readMountTable();
            }
            String mount = mounts.mountPointOf(d.toString());
            String inRoot = d.startsWith(root.path()) ? "/" + root.path().relativize(d) : d.toString();
            byMount.putIfAbsent(mount, SystemRoot.printable(inRoot) + " is on a read-only file system; make it writable: "
                    + "mount -o remount,rw " + SystemRoot.printable(mount));
        }
        return new ArrayList<>(byMount.values());
    }

    private static Path existingAncestor(Path p) {
        Path d = p;
        while (d != null && !Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
            d = d.getParent();
        }
        return d;
    }

    /**
     * Creates and removes an empty file: the kernel's answer (EROFS) is exact,
     * where Java's FileStore can mistake a read-only bind mount for the
     * writable file system under it.
     */
    private static boolean onReadOnlyFileSystem(Path dir) {
        Path probe = AtomicFiles.tempNameFor(dir.resolve(".write-probe"));
        try {
            Files.createFile(probe);
            Files.delete(probe);
            return false;
        } catch (FileSystemException e) {
            return "Read-only file system".equals(e.getReason());
        } catch (IOException e) {
            return false;
        }
    }

    private static MountTable readMountTable() {
        try {
            return MountTable.parse(Files.readString(Path.of("/proc/self/mountinfo")));
        } catch (IOException | SecurityException e) {
            return MountTable.parse("");
        }
    }

    private static String describe(Step s) {
        ManifestEntry e = s.entry();
        String verb = s.action() == Action.CREATE ? "create" : "replace";
        return switch (e.type()) {
            case DIR -> verb + " directory " + SystemRoot.printable(e.path());
            case FILE -> verb + " file " + SystemRoot.printable(e.path()) + " (" + e.size() + " bytes, mode "
                    + String.format("%04o", e.mode()) + ")";
            case SYMLINK -> verb + " symlink " + SystemRoot.printable(e.path()) + " -> " + SystemRoot.printable(e.linkTarget());
        };
    }

    private List<Step> plan(BackupSet set, List<String> conflicts) throws IOException {
        String kernel = set.kernel();
        Map<String, Path> itemHosts = new HashMap<>();
        List<Step> steps = new ArrayList<>();
        for (ManifestEntry e : set.manifest().entries()) {
            String item = BootSetLayout.itemOf(kernel, e.path());
            if (item == null) {
                throw new IOException("manifest path outside the boot set: " + SystemRoot.printable(e.path()));
            }
            Path itemHost = itemHosts.get(item);
            if (itemHost == null) {
                itemHost = root.resolveParents(item);
                itemHosts.put(item, itemHost);
            }
            Path host = e.path().equals(item) ? itemHost : itemHost.resolve(e.path().substring(item.length() + 1));
            if (!host.normalize().startsWith(root.path()) || !host.normalize().equals(host)) {
                throw new IOException("refusing a path that leaves the system root: " + SystemRoot.printable(e.path()));
            }
            BasicFileAttributes a = attributes(host);
            Action action;
            if (a == null) {
                action = Action.CREATE;
            } else if (e.type() == EntryType.DIR) {
                if (!a.isDirectory()) {
                    conflicts.add(SystemRoot.printable(e.path()) + " is not a directory on the system");
                }
                action = Action.KEEP;
            } else if (a.isDirectory()) {
                conflicts.add(SystemRoot.printable(e.path()) + " is a directory on the system, the backup has a "
                        + (e.type() == EntryType.FILE ? "file" : "symlink"));
                action = Action.KEEP;
            } else if (e.type() == EntryType.SYMLINK) {
                action = a.isSymbolicLink() && Files.readSymbolicLink(host).toString().equals(e.linkTarget())
                        ? Action.KEEP : Action.REPLACE;
            } else {
                action = a.isRegularFile() && sameFile(host, a, e) ? Action.KEEP : Action.REPLACE;
            }
            steps.add(new Step(e, host, action));
        }
        return steps;
    }

    private static BasicFileAttributes attributes(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean sameFile(Path host, BasicFileAttributes a, ManifestEntry e) throws IOException {
        if (a.size() != e.size()) {
            return false;
        }
        Map<String, Object> u = Files.readAttributes(host, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
        if ((((Integer) u.get("mode")) & 07777) != e.mode() || (Integer) u.get("uid") != e.uid()
                || (Integer) u.get("gid") != e.gid()) {
            return false;
        }
        try (InputStream in = Files.newInputStream(host, LinkOption.NOFOLLOW_LINKS)) {
            return Hashing.digest(in).sha256().equals(e.sha256());
        }
    }

    private int apply(BackupSet set, List<Step> steps) throws IOException {
        BlobStore blobs = store.blobs();
        Set<Path> touched = new LinkedHashSet<>();
        List<Step> dirs = new ArrayList<>();
        int written = 0;
        for (Step s : steps) {
            ManifestEntry e = s.entry();
            Path host = s.host();
            Path parent = host.getParent();
            if (!Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
                if (Files.isSymbolicLink(parent)) {
                    throw new IOException("refusing to write through the symlink " + parent);
                }
                Files.createDirectories(parent);
            }
            switch (e.type()) {
                case DIR -> {
                    if (Files.isSymbolicLink(host)) {
                        throw new IOException("refusing to write through the symlink " + host);
                    }
                    if (s.action() == Action.CREATE) {
                        Files.createDirectory(host);
                        touched.add(parent);
                        written++;
                    }
                    dirs.add(s);
                }
                case FILE, SYMLINK -> {
                    if (s.action() == Action.KEEP) {
                        continue;
                    }
                    Path temp;
                    if (e.type() == EntryType.FILE) {
                        temp = AtomicFiles.writeTemp(host, out -> blobs.copyVerified(e.sha256(), out));
                    } else {
                        temp = AtomicFiles.tempNameFor(host);
                        Files.createSymbolicLink(temp, Path.of(e.linkTarget()));
                    }
                    // Owner and mode are set on the temp name, so the entry appears complete or not at all.
                    try {
                        if (e.type() == EntryType.FILE) {
                            setOwnerAndMode(temp, e);
                        } else {
                            setOwner(temp, e);
                        }
                        AtomicFiles.moveAtomically(temp, host);
                    } catch (IOException ex) {
                        Files.deleteIfExists(temp);
                        throw ex;
                    }
                    touched.add(parent);
                    written++;
                }
            }
        }
        // Directory modes last, deepest first, so a read-only directory was writable while being filled.
        for (int i = dirs.size() - 1; i >= 0; i--) {
            setOwnerAndMode(dirs.get(i).host(), dirs.get(i).entry());
        }
        for (Path d : touched) {
            AtomicFiles.fsyncDirectory(d);
        }
        return written;
    }

    private static void setOwnerAndMode(Path p, ManifestEntry e) throws IOException {
        setOwner(p, e);
        // After chown, which clears set-id bits.
        Files.setAttribute(p, "unix:mode", e.mode(), LinkOption.NOFOLLOW_LINKS);
    }

    private static void setOwner(Path p, ManifestEntry e) throws IOException {
        Map<String, Object> u = Files.readAttributes(p, "unix:uid,gid", LinkOption.NOFOLLOW_LINKS);
        if ((Integer) u.get("uid") != e.uid()) {
            Files.setAttribute(p, "unix:uid", e.uid(), LinkOption.NOFOLLOW_LINKS);
        }
        if ((Integer) u.get("gid") != e.gid()) {
            Files.setAttribute(p, "unix:gid", e.gid(), LinkOption.NOFOLLOW_LINKS);
        }
    }
}
