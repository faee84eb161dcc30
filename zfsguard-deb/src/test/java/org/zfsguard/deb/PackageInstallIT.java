package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The built package on Debian 12 amd64 with real apt and dpkg: the shared lifecycle, plus the
 * file modes, the start-up archive, reinstalling, maintainer script idempotence and a missing
 * or too old Java.
 */
class PackageInstallIT extends PackageLifecycle {

    private static final String LAUNCHER = "/usr/bin/zfsguard";
    /** The launcher, the hook programs, and the shims in /etc that run-parts executes. */
    private static final java.util.Set<String> EXECUTABLES = java.util.Set.of(LAUNCHER,
            "/usr/lib/zfsguard/apt-pre-install", "/usr/lib/zfsguard/post-invoke",
            "/usr/lib/zfsguard/kernel-prerm", "/usr/lib/zfsguard/kernel-postinst", "/usr/lib/zfsguard/apt-update-post",
            "/usr/lib/zfsguard/motd", "/etc/update-motd.d/90-zfsguard",
            "/usr/lib/zfsguard/molly-guard", "/etc/molly-guard/run.d/30-zfsguard",
            "/etc/kernel/prerm.d/05zfsguard", "/etc/kernel/postinst.d/zfsguard");
    /** Configuration and shims only: code under /etc would be frozen by a local edit. */
    private static final java.util.Set<String> CONFFILES = java.util.Set.of("/etc/zfsguard/zfsguard.conf",
            "/etc/apt/apt.conf.d/80zfsguard", "/etc/dpkg/dpkg.cfg.d/zfsguard",
            "/etc/kernel/prerm.d/05zfsguard", "/etc/kernel/postinst.d/zfsguard", "/etc/update-motd.d/90-zfsguard",
            "/etc/molly-guard/run.d/30-zfsguard");
    private static final String NEXT_STEP = "next: sudo apt install default-jre-headless";
    private static final int TIMED_RUNS = 9;

    @Override
    String arch() {
        return "amd64";
    }

    @Test
    void everyInstalledPathHasItsIntendedModeAndRootOwner() {
        try (Chroot c = Chroot.bookworm(arch())) {
            install(c);
            List<String> paths = c.runOk("dpkg", "-L", "zfsguard").stdout().lines()
                    .map(p -> p.equals("/.") ? "/" : p)
                    .toList();
            assertThat(paths).containsAll(EXECUTABLES).contains(LAUNCHER, "/usr/share/zfsguard/zfsguard.jar", "/usr/share/zfsguard/version",
                    "/etc/zfsguard/zfsguard.conf", "/usr/share/man/man8/zfsguard.8.gz",
                    "/usr/share/doc/zfsguard/copyright", "/usr/share/doc/zfsguard/changelog.Debian.gz");
            Map<String, Chroot.FileEntry> files = c.fileList();
            List<String> wrong = new ArrayList<>();
            for (String path : paths) {
                Chroot.FileEntry e = files.get(path);
                if (e == null) {
                    wrong.add("missing: " + path);
                    continue;
                }
                char type = e.type();
                boolean executable = EXECUTABLES.contains(path);
                int mode = executable ? 0755 : type == 'd' ? 0755 : 0644;
                char wantedType = executable ? 'f' : type == 'd' ? 'd' : 'f';
                if (type != wantedType || e.mode() != mode || e.uid() != 0 || e.gid() != 0) {
                    wrong.add(String.format("%s (wanted %c %04o 0:0)", e, wantedType, mode));
                }
            }
            assertThat(wrong).as("paths of dpkg -L zfsguard with the wrong type, mode or owner").isEmpty();
            List<String> conffiles = c.runOk("dpkg-query", "-W", "-f=${Conffiles}", "zfsguard").stdout().lines()
                    .map(String::strip).filter(l -> !l.isEmpty()).map(l -> l.split(" ")[0]).toList();
            assertThat(conffiles).containsExactlyInAnyOrderElementsOf(CONFFILES);
            for (String shim : List.of("/etc/kernel/prerm.d/05zfsguard", "/etc/kernel/postinst.d/zfsguard")) {
                assertThat(c.hostPath(shim)).content().as(shim)
                        .containsPattern("(?m)^\\[ -x /usr/lib/zfsguard/kernel-[a-z]+ \\] \\|\\| exit 0$")
                        .containsPattern("(?m)^exec /usr/lib/zfsguard/kernel-[a-z]+ \"\\$@\"$");
            }
        }
    }

    @Test
    void launcherUsesTheArchiveFromPostinstAndKeepsStdoutClean() throws IOException {
        try (Chroot c = Chroot.bookworm(arch())) {
            install(c);
            String archive = assertOneFreshArchive(c);

            // The JVM's own class-loading log says where the application's classes came from.
            Exec.Result logged = c.runOk("env", "ZFSGUARD_JAVA_OPTS=-Xlog:class+load=info:file=/root/classes.log",
                    "zfsguard", "--version");
            assertThat(logged.stdout()).isEqualTo(pkg.versionLine());
            String classes = Files.readString(c.hostPath("/root/classes.log"));
            assertThat(classes.lines().filter(l -> l.contains(" org.zfsguard.cli.Main ")))
                    .as("how org.zfsguard.cli.Main was loaded")
                    .singleElement().asString().contains("source: shared objects file (top)");
            Files.delete(c.hostPath("/root/classes.log"));

            List<Long> withArchive = timeVersion(c);

            // Without the archive the launcher falls back to a plain start.
            Path hidden = c.hostPath("/root/hidden.jsa");
            Files.move(c.hostPath(archive), hidden);
            List<Long> without = timeVersion(c);

            // A damaged archive: the JVM warns, on stderr only, and carries on.
            Files.writeString(c.hostPath(archive), "not a CDS archive\n");
            assertVersionLine(c);
            Files.move(hidden, c.hostPath(archive), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertVersionLine(c);

            System.out.printf("zfsguard --version median wall time in the %s chroot: %d ms with the CDS archive, "
                    + "%d ms without (%d runs each)%n", arch(), median(withArchive), median(without), TIMED_RUNS);
        }
    }

    @Test
    void reinstallsAfterRemove() {
        try (Chroot c = Chroot.bookworm(arch())) {
            install(c);
            c.runOk("apt-get", "remove", "-y", "zfsguard");
            assertThat(c.hostPath(LAUNCHER)).doesNotExist();
            install(c);
            assertThat(status(c)).isEqualTo("install ok installed " + pkg.debVersion());
            assertVersionLine(c);
            assertOneFreshArchive(c);
            // And once more over itself, as "apt-get install --reinstall" does.
            c.runOk("apt-get", "install", "-y", "--reinstall", pkg.chrootPath());
            assertVersionLine(c);
            assertOneFreshArchive(c);
        }
    }

    @Test
    void maintainerScriptsCanRunAgainAndAgain() {
        String info = "/var/lib/dpkg/info/zfsguard.";
        String v = pkg.debVersion();
        try (Chroot c = Chroot.bookworm(arch())) {
            install(c);
            twice(c, info + "postinst", "configure", v);
            assertOneFreshArchive(c);
            assertVersionLine(c);
            assertThat(c.hostPath("/etc/dkms")).as("no DKMS installed, nothing to bound").doesNotExist();
            // A stand-in for DKMS (FAKE: only its program path matters to postinst).
            c.write("/usr/sbin/dkms", "#!/bin/sh\nexit 0\n", "rwxr-xr-x");
            twice(c, info + "postinst", "configure", v);
            assertThat(c.hostPath("/etc/dkms/zfs.conf")).as("DKMS job bound").content()
                    .containsOnlyOnce("# >>> zfsguard:").contains("*) zfsguard_jobs=1 ;;");

            twice(c, info + "prerm", "upgrade", v);
            twice(c, info + "postinst", "abort-upgrade", v);
            assertOneFreshArchive(c);

            twice(c, info + "prerm", "remove");
            twice(c, info + "postrm", "remove");
            assertThat(c.hostPath(CACHE_DIR)).doesNotExist();
            assertThat(c.hostPath("/etc/dkms")).as("created for the block, gone with it").doesNotExist();
            twice(c, info + "postinst", "configure", v);
            assertOneFreshArchive(c);

            twice(c, "dpkg-reconfigure", "zfsguard");
            assertOneFreshArchive(c);
            assertVersionLine(c);

            c.runOk("sh", "-c", "printf 'ZFS_DKMS_ENABLE_DEBUG=y\\n' >/etc/dkms/zfs.conf.mine"
                    + " && cat /etc/dkms/zfs.conf >>/etc/dkms/zfs.conf.mine && mv /etc/dkms/zfs.conf.mine /etc/dkms/zfs.conf");
            twice(c, info + "postrm", "purge");
            assertThat(c.hostPath("/etc/dkms/zfs.conf")).as("the administrator's line stays, the block goes").content()
                    .isEqualTo("ZFS_DKMS_ENABLE_DEBUG=y\n");
            c.runOk("rm", "-r", "/etc/dkms");
            assertThat(c.hostPath("/var/lib/zfsguard")).doesNotExist();
            // The conffiles are dpkg's to purge, the hook programs dpkg's to remove.
            assertThat(c.hostPath("/etc/zfsguard/zfsguard.conf")).isRegularFile();
            assertThat(c.hostPath("/usr/lib/zfsguard/apt-pre-install")).isRegularFile();
            twice(c, info + "postinst", "configure", v);
            assertThat(c.hostPath("/var/lib/zfsguard")).isDirectory();

            // Someone deletes /etc/zfsguard by hand: apt still works, and purges the rest.
            c.runOk("rm", "-rf", "/etc/zfsguard");
            c.runOk("apt-get", "purge", "-y", "zfsguard");
            assertThat(c.run("dpkg", "-s", "zfsguard").exitCode()).isNotZero();
            assertThat(c.hostPath("/etc/apt/apt.conf.d/80zfsguard")).doesNotExist();
            assertThat(c.hostPath("/etc/zfsguard")).doesNotExist();
        }
    }

    @Test
    void dkmsInstalledAfterZfsguardGetsTheBoundThroughTheTrigger() {
        try (Chroot c = Chroot.bookworm(arch())) {
            install(c);
            assertThat(c.hostPath("/etc/dkms")).as("no DKMS, nothing created").doesNotExist();

            // FAKE dkms: a package that ships only /usr/sbin/dkms, which is what the trigger watches.
            c.write("/root/fake-dkms/DEBIAN/control", "Package: dkms\nVersion: 99.0-fake\nArchitecture: all\n"
                    + "Maintainer: zfsguard tests <tests@zfsguard.invalid>\nDescription: FAKE dkms for tests\n"
                    + " Not the real DKMS.\n", "rw-r--r--");
            c.write("/root/fake-dkms/usr/sbin/dkms", "#!/bin/sh\n# FAKE dkms for tests\nexit 0\n", "rwxr-xr-x");
            c.runOk("dpkg-deb", "--root-owner-group", "--build", "/root/fake-dkms", "/root/fake-dkms.deb");
            Exec.Result r = c.runOk("apt-get", "install", "-y", "/root/fake-dkms.deb");
            assertThat(r.stdout()).as(r.describe()).contains("Processing triggers for zfsguard");
            assertThat(c.hostPath("/etc/dkms/zfs.conf")).as("block added by the trigger").content()
                    .containsOnlyOnce("# >>> zfsguard:").contains("*) zfsguard_jobs=1 ;;");

            c.runOk("apt-get", "purge", "-y", "zfsguard");
            assertThat(c.hostPath("/etc/dkms")).as("the block and the directory made for it, gone with zfsguard")
                    .doesNotExist();
        }
    }

    @Test
    void missingOrTooOldJavaGivesTheNextStepAndNeverBreaksDpkg() {
        String jre = "/usr/lib/jvm/java-17-openjdk-" + arch();
        String fake = "/usr/lib/java-11-fake";
        try (Chroot c = Chroot.bookworm(arch())) {
            String alternative = c.runOk("readlink", "/etc/alternatives/java").stdout().strip();
            assertThat(alternative).isEqualTo(jre + "/bin/java");

            // Installing while the runtime is gone: postinst carries on without an archive.
            c.runOk("mv", "/usr/lib/jvm", "/usr/lib/jvm.hidden");
            install(c);
            assertThat(cacheEntries(c)).isEmpty();
            assertNoJava(c);

            // /usr/bin/java pointing at a Java 11.
            c.write(fake + "/bin/java", "#!/bin/sh\necho FAKE-JAVA-RAN\n", "rwxr-xr-x");
            c.write(fake + "/release", "JAVA_VERSION=\"11.0.22\"\nJAVA_RUNTIME_VERSION=\"11.0.22+7\"\n", "rw-r--r--");
            c.runOk("ln", "-sfn", fake + "/bin/java", "/etc/alternatives/java");
            assertNoJava(c);

            c.runOk("dpkg", "--configure", "-a");
            c.runOk("dpkg-reconfigure", "zfsguard");
            c.runOk("apt-get", "remove", "-y", "zfsguard");
            install(c);

            // Java 11 still first on PATH, but a Java 17 in /usr/lib/jvm: the launcher finds it.
            c.runOk("mv", "/usr/lib/jvm.hidden", "/usr/lib/jvm");
            assertVersionLine(c);

            c.runOk("ln", "-sfn", alternative, "/etc/alternatives/java");
            c.runOk("dpkg-reconfigure", "zfsguard");
            assertOneFreshArchive(c);
            assertVersionLine(c);
        }
    }

    private static void assertNoJava(Chroot c) {
        Exec.Result r = c.run("zfsguard", "--version");
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
        assertThat(r.stderr()).as(r.describe()).contains("no Java 17 or newer runtime found").contains(NEXT_STEP);
        assertThat(r.stdout()).as(r.describe()).isEmpty();
    }

    private static final String INFO = "/var/lib/dpkg/info/zfsguard.";

    /** Runs {@code argv} twice; a maintainer script gets the environment dpkg gives it. */
    private static void twice(Chroot c, String... argv) {
        if (argv[0].startsWith(INFO)) {
            List<String> withEnv = new ArrayList<>(List.of("env",
                    "DPKG_MAINTSCRIPT_NAME=" + argv[0].substring(INFO.length()), "DPKG_MAINTSCRIPT_PACKAGE=zfsguard"));
            withEnv.addAll(List.of(argv));
            argv = withEnv.toArray(String[]::new);
        }
        c.runOk(argv);
        c.runOk(argv);
    }

    private static List<Long> timeVersion(Chroot c) {
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < TIMED_RUNS; i++) {
            millis.add(assertVersionLine(c).elapsed().toMillis());
        }
        return millis;
    }

    static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
