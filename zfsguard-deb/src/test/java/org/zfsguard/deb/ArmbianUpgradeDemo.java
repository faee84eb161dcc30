package org.zfsguard.deb;

import static org.zfsguard.deb.FakeKernelPackages.NEW_K;
import static org.zfsguard.deb.FakeKernelPackages.NEW_VERSION;
import static org.zfsguard.deb.FakeKernelPackages.OLD_K;
import static org.zfsguard.deb.FakeKernelPackages.OLD_VERSION;
import static org.zfsguard.deb.FakeKernelPackages.ZFS_OLD;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The operator's story on a machine without a board: {@code demo/armbian-upgrade.sh} runs this
 * with the test class path. It uses the chroot suites' harness ({@link Chroot},
 * {@link FakeKernelPackages}, {@link Scenarios}): a throw-away Debian 12 chroot, the FAKE Armbian
 * kernel with a ZFS module from the DKMS stand-in, the built .deb, then real apt upgrading the
 * kernel in place, {@code zfsguard status}, the way back and {@code zfsguard status} again.
 * Real output is shown as it comes, with a few narration lines between the steps.
 *
 * <p>Arguments: the .deb to install, and optionally a file to write the work directories of the
 * chroot and of the FAKE packages to, so that the calling script can still remove them should
 * this JVM be killed outright.
 */
public final class ArmbianUpgradeDemo {

    private static final Duration STEP_LIMIT = Duration.ofMinutes(5);
    private static final String PROMPT = "root@board:~# ";

    private ArmbianUpgradeDemo() {
    }

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: ArmbianUpgradeDemo ZFSGUARD_DEB [WORKDIR_FILE]");
            System.exit(64);
        }
        long start = System.nanoTime();
        try {
            run(Path.of(args[0]), args.length == 2 ? Path.of(args[1]) : null);
        } catch (Throwable e) {
            System.out.flush();
            System.err.println("demo: failed: " + e.getMessage());
            System.err.flush();
            // The shutdown hooks of the harness unmount and remove the chroot.
            System.exit(1);
        }
        say("done in %d s; the chroot is removed",
                Duration.ofNanos(System.nanoTime() - start).toSeconds());
    }

    private static void run(Path deb, Path workDirFile) throws IOException {
        if (!Files.isRegularFile(deb)) {
            throw new IllegalStateException(deb + " not found; build it first: mvn -B package");
        }
        String version = Exec.host(Duration.ofSeconds(30), "dpkg-deb", "--field", deb.toString(), "Version")
                .orFail().stdout().strip();
        BuiltPackage pkg = new BuiltPackage(deb, version, version);

        say("step 1: a throw-away Debian 12 chroot from the cached base in %s", Chroot.cacheDir());
        if (!baseCached()) {
            say("        not cached yet: debootstrap makes it now (network, a few minutes, once)");
        }
        try (Chroot c = Chroot.bookworm("amd64")) {
            Path fakeDebs = FakeKernelPackages.currentImage(OLD_VERSION, OLD_K).getParent();
            if (workDirFile != null) {
                Files.writeString(workDirFile, c.root().getParent() + "\n" + fakeDebs + "\n", StandardCharsets.UTF_8);
            }
            System.out.println("    chroot: " + c.root());
            // The harness mounts no /dev/pts; without this apt says "Can not write log" on every run.
            c.write("/etc/apt/apt.conf.d/00demo-no-pty", "Dpkg::Use-Pty \"0\";\n", "rw-r--r--");
            // zfsguard restore runs depmod, from kmod, which the minimal base lacks.
            if (!c.run("apt-get", "install", "-y", "-q", "--no-install-recommends", "kmod").ok()) {
                c.runOk("apt-get", "update", "-q");
                c.runOk("apt-get", "install", "-y", "-q", "--no-install-recommends", "kmod");
            }

            say("step 2: a FAKE Armbian board: %s %s (%s)", FakeKernelPackages.CURRENT_IMAGE, OLD_VERSION, OLD_K);
            say("        with FAKE zfs-dkms %s and the zfs.ko a FAKE DKMS built (a real ELF module)", ZFS_OLD);
            Scenarios.armbianWithZfs(c);

            say("step 3: the operator installs zfsguard %s (%s)", version, deb);
            String inChroot = pkg.chrootPath();
            c.copyIn(deb, inChroot);
            show(c, Set.of(0), "apt-get", "install", "-y", inChroot);
            say("        this demo shows the report-only mode (boot_guard = warn in %s);", Scenarios.REPORT_ONLY);
            say("        the default, boot_guard = hold, would keep /boot/Image on %s", OLD_K);
            c.write(Scenarios.REPORT_ONLY, "boot_guard = warn\n", "rw-r--r--");
            show(c, Set.of(0), "zfsguard", "status");

            say("step 4: apt upgrades the kernel in place to %s (%s);", NEW_VERSION, NEW_K);
            say("        DKMS deletes the old kernel's zfs.ko, and the new kernel has none");
            offerUpgrade(c);
            show(c, Set.of(0), "apt-get", "upgrade", "-y");

            say("step 5: what zfsguard says now");
            show(c, Set.of(0, 1), "zfsguard", "status");
            show(c, Set.of(0), "zfsguard", "backups");

            say("step 6: the way back: restore the backed-up boot set of %s, boot it next", OLD_K);
            show(c, Set.of(0), "zfsguard", "restore", OLD_K, "--activate");

            say("step 7: safe to reboot again");
            show(c, Set.of(0), "zfsguard", "status");
            say("removing the chroot");
        }
    }

    /**
     * Makes the FAKE 25.11.2 kernel an upgrade apt finds by itself, as on a board: the board's only
     * apt source becomes a local repository of the FAKE packages, so that the upgrade touches
     * nothing else and needs no network.
     */
    private static void offerUpgrade(Chroot c) throws IOException {
        Scenarios.upgradeDeb(c);
        Path debs = c.hostPath(FakeKernelPackages.CHROOT_DIR);
        ProcessBuilder scan = new ProcessBuilder("dpkg-scanpackages", "--multiversion", ".")
                .directory(debs.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(debs.resolve("Packages").toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        scan.environment().clear();
        scan.environment().putAll(Exec.baseEnvironment());
        if (waitFor(scan.start(), "dpkg-scanpackages") != 0) {
            throw new IllegalStateException("dpkg-scanpackages failed in " + debs + " (package dpkg-dev)");
        }
        c.write("/etc/apt/sources.list", "# FAKE Armbian repository of the demo: a local directory.\n"
                + "deb [trusted=yes] file:" + FakeKernelPackages.CHROOT_DIR + " ./\n", "rw-r--r--");
        // Not shown: a local repository without a Release file makes it two screens of "Ign:".
        c.runOk("apt-get", "update", "-qq");
    }

    private static boolean baseCached() throws IOException {
        if (!Files.isDirectory(Chroot.cacheDir())) {
            return false;
        }
        try (var names = Files.list(Chroot.cacheDir())) {
            return names.map(p -> p.getFileName().toString())
                    .anyMatch(n -> n.startsWith("bookworm-amd64-minbase-") && n.endsWith(".tar"));
        }
    }

    /** A narration line, told apart from the real output by its arrow. */
    private static void say(String format, Object... args) {
        System.out.println("==> " + String.format(format, args));
        System.out.flush();
    }

    /**
     * Runs {@code argv} in the chroot with its output and errors interleaved on this process's
     * standard output as they come, and fails unless it exits with one of {@code expected}.
     */
    private static void show(Chroot c, Set<Integer> expected, String... argv) throws IOException {
        System.out.println(PROMPT + String.join(" ", argv));
        System.out.flush();
        List<String> cmd = new ArrayList<>(List.of("chroot", c.root().toString()));
        cmd.addAll(List.of(argv));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(Exec.baseEnvironment());
        int code = waitFor(pb.start(), String.join(" ", argv));
        if (code == 130) {
            throw new IllegalStateException("interrupted");
        }
        if (!expected.contains(code)) {
            throw new IllegalStateException(String.join(" ", argv) + " exited with " + code + ", expected " + expected);
        }
    }

    private static int waitFor(Process p, String what) {
        try {
            if (!p.waitFor(STEP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalStateException(what + " did not finish within " + STEP_LIMIT);
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
