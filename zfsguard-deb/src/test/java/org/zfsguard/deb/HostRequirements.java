package org.zfsguard.deb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What the build host must offer the chroot suites. A missing piece fails the suite with the
 * command that fixes it: these suites are never skipped silently.
 */
final class HostRequirements {

    static final String SKIP_HINT = "or pass -DskipChroot=true to leave them out explicitly";

    private static final Path BINFMT = Path.of("/proc/sys/fs/binfmt_misc");

    private HostRequirements() {
    }

    static void requireRoot() {
        if (!"0".equals(Exec.host(Duration.ofSeconds(30), "id", "-u").stdout().strip())) {
            throw new AssertionError("the chroot suites need root: run as root, " + SKIP_HINT);
        }
    }

    static void requireTools(String... tools) {
        for (String tool : tools) {
            boolean found = false;
            for (String dir : Exec.PATH.split(":")) {
                if (Files.isExecutable(Path.of(dir, tool))) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                throw new AssertionError("the chroot suites need '" + tool + "' on the build host: "
                        + "apt-get install debootstrap qemu-user-static binfmt-support lintian, " + SKIP_HINT);
            }
        }
    }

    static String hostArchitecture() {
        return Exec.host(Duration.ofSeconds(30), "dpkg", "--print-architecture").orFail().stdout().strip();
    }

    /**
     * Makes sure arm64 binaries run on this host through qemu-user-static registered with the
     * fix-binary flag, so that the interpreter need not exist inside the chroot.
     */
    static void requireEmulation(String arch) {
        if (arch.equals(hostArchitecture())) {
            return;
        }
        if (!"arm64".equals(arch)) {
            throw new AssertionError("no emulation recipe for architecture " + arch);
        }
        String fix = "apt-get install qemu-user-static binfmt-support && "
                + "mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc && "
                + "update-binfmts --enable qemu-aarch64";
        if (!Files.exists(BINFMT.resolve("status"))) {
            Exec.Result mount = Exec.host(Duration.ofSeconds(30),
                    "mount", "-t", "binfmt_misc", "binfmt_misc", BINFMT.toString());
            if (!mount.ok() || !Files.exists(BINFMT.resolve("status"))) {
                throw new AssertionError("arm64 chroots need binfmt_misc, and mounting it failed (" + mount.stderr().strip()
                        + "). Fix: " + fix + " ; " + SKIP_HINT);
            }
        }
        Path entry = BINFMT.resolve("qemu-aarch64");
        if (!enabledWithFixBinary(entry)) {
            Exec.host(Duration.ofSeconds(60), "update-binfmts", "--enable", "qemu-aarch64");
        }
        if (!enabledWithFixBinary(entry)) {
            throw new AssertionError("arm64 chroots need qemu-aarch64 registered in binfmt_misc, enabled, with the F "
                    + "(fix-binary) flag; " + entry + " says: " + read(entry) + ". Fix: " + fix + " ; " + SKIP_HINT);
        }
    }

    static boolean enabledWithFixBinary(Path entry) {
        return binfmtEntryUsable(read(entry));
    }

    /** An entry as /proc/sys/fs/binfmt_misc/NAME shows it: "enabled", ..., "flags: PF"... */
    static boolean binfmtEntryUsable(String text) {
        List<String> lines = text.lines().map(String::strip).toList();
        boolean enabled = lines.contains("enabled");
        boolean fixBinary = lines.stream()
                .filter(l -> l.startsWith("flags:"))
                .anyMatch(l -> l.substring("flags:".length()).contains("F"));
        return enabled && fixBinary;
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "(missing)";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
