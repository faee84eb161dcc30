package org.zfsguard.dkms;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.zfsguard.state.AtomicFiles;
import org.zfsguard.system.SystemRoot;

/**
 * The marked block zfsguard keeps in {@code /etc/dkms/zfs.conf} so that DKMS's own ZFS
 * builds (kernel hook, zfs-dkms's postinst, a hand-run {@code dkms install}) use one
 * compiler job, or the count zfsguard asked for (docs/dkms-autoinstall.md).
 *
 * <p>The file is the administrator's (DKMS override and OpenZFS's {@code PACKAGE_CONFIG}):
 * only the lines between the markers are ever written or removed. Editing is a pure
 * function of the text; {@link #install} and {@link #remove} apply it to a root.
 */
public final class DkmsConfigBlock {
    public static final String PATH = "/etc/dkms/zfs.conf";
    public static final String BEGIN = "# >>> zfsguard: bound DKMS's own ZFS builds to one compiler job (managed by zfsguard)";
    public static final String END = "# <<< zfsguard";
    private static final String BEGIN_PREFIX = "# >>> zfsguard:";
    private static final long MAX_BYTES = 256 * 1024;

    /**
     * Bash that DKMS sources after ZFS's dkms.conf: {@code MAKE[0]} gets a final {@code -j},
     * and {@code PRE_BUILD} (OpenZFS's configure, which compiles its kernel checks with
     * {@code make -j$(nproc)} unless the precious variable {@code TEST_JOBS} is given) gets
     * {@code TEST_JOBS=}: a job count on configure's command line, which autoconf exports.
     */
    public static final String BLOCK = String.join("\n",
            BEGIN,
            "case \"${ZFSGUARD_JOBS:-}\" in",
            "    [1-9] | [1-5][0-9] | 6[0-4]) zfsguard_jobs=${ZFSGUARD_JOBS} ;;",
            "    *) zfsguard_jobs=1 ;;",
            "esac",
            "MAKE[0]=\"${MAKE[0]} -j${zfsguard_jobs}\"",
            "if [ -n \"${PRE_BUILD:-}\" ]; then PRE_BUILD=\"${PRE_BUILD} TEST_JOBS=${zfsguard_jobs}\"; fi",
            END,
            "");

    private DkmsConfigBlock() {
    }

    /** {@code text} with exactly one current block at its end; other lines untouched. */
    public static String add(String text) {
        String without = remove(text);
        StringBuilder b = new StringBuilder(without);
        if (!without.isEmpty() && !without.endsWith("\n")) {
            b.append('\n');
        }
        return b.append(BLOCK).toString();
    }

    /**
     * {@code text} without zfsguard's block(s). A begin marker without an end marker is
     * left alone: deleting to the end of the file could take the administrator's lines.
     */
    public static String remove(String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        while (true) {
            int begin = -1;
            int end = -1;
            for (int i = 0; i < lines.size(); i++) {
                if (begin < 0 && lines.get(i).startsWith(BEGIN_PREFIX)) {
                    begin = i;
                } else if (begin >= 0 && lines.get(i).equals(END)) {
                    end = i;
                    break;
                }
            }
            if (begin < 0 || end < 0) {
                break;
            }
            lines.subList(begin, end + 1).clear();
        }
        return String.join("\n", lines);
    }

    public static boolean present(String text) {
        return !remove(text).equals(text);
    }

    /** Nothing but blank lines: neither DKMS nor OpenZFS reads anything from it. */
    public static boolean blank(String text) {
        return text.isBlank();
    }

    /** What {@link #install} or {@link #remove} did, for the maintainer script's output. */
    public record Change(boolean changed, String message) {
    }

    public static Change install(SystemRoot root) throws IOException {
        // Parents resolved inside the root; a symlink in the file's place is refused by read(), never followed.
        Path file = root.resolveParents(PATH);
        Optional<String> current = read(file);
        if (current.isEmpty()) {
            // Also without DKMS yet: zfs-dkms's postinst builds before any zfsguard hook could add the block.
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, BLOCK.getBytes(StandardCharsets.UTF_8));
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            return new Change(true, "created " + PATH + " with the block that bounds DKMS's ZFS builds to one job");
        }
        String updated = add(current.get());
        if (updated.equals(current.get())) {
            return new Change(false, PATH + " already bounds DKMS's ZFS builds");
        }
        write(file, updated);
        return new Change(true, "added the block that bounds DKMS's ZFS builds to one job to " + PATH);
    }

    public static Change remove(SystemRoot root) throws IOException {
        // Parents resolved inside the root; a symlink in the file's place is refused by read(), never followed.
        Path file = root.resolveParents(PATH);
        Optional<String> current = read(file);
        if (current.isEmpty() || !present(current.get())) {
            return new Change(false, "no zfsguard block in " + PATH);
        }
        String updated = remove(current.get());
        if (blank(updated)) {
            Files.delete(file);
            // install() creates /etc/dkms when DKMS is not installed yet; with DKMS it holds framework.conf.
            try (var entries = Files.list(file.getParent())) {
                if (entries.findAny().isEmpty()) {
                    Files.delete(file.getParent());
                }
            }
            return new Change(true, "removed " + PATH + " (nothing but zfsguard's block was in it)");
        }
        write(file, updated);
        return new Change(true, "removed zfsguard's block from " + PATH);
    }

    private static Optional<String> read(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(PATH + " is not a regular file; left alone");
        }
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException(PATH + " is larger than " + MAX_BYTES + " bytes; left alone");
        }
        return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Rewrites the file keeping its permissions and owner (it may hold settings people keep private). */
    private static void write(Path file, String text) throws IOException {
        var perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        var owner = Files.getOwner(file, LinkOption.NOFOLLOW_LINKS);
        AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(file, perms);
        try {
            Files.setOwner(file, owner);
        } catch (IOException e) {
            // Not root (tests): the file keeps the writer's owner.
        }
    }
}
