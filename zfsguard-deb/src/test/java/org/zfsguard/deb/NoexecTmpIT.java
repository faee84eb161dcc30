package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.zfsguard.testing.FixtureSystem;
import org.zfsguard.testing.FixtureSystem.InitrdCompression;
import org.zfsguard.testing.ModuleFixtures;

/**
 * A {@code noexec} /tmp (a common hardening) changes none of zfsguard's answers: no library
 * unpacks native code into {@code java.io.tmpdir}. The inputs are zstd-compressed where it
 * matters: the initramfs of the installed kernel and the kernel .deb given to preflight and apt.
 */
class NoexecTmpIT extends ChrootSuite {

    private static final String ZSTD_DEB = "/root/upgrade-zstd.deb";

    @Test
    void statusCheckPreflightAndTheAptHookAnswerTheSameWithANoexecTmp() throws IOException {
        try (Chroot c = Chroot.bookworm("amd64")) {
            Scenarios.armbianWithZfs(c);
            Scenarios.installZfsguard(c, pkg);
            String k = FakeKernelPackages.OLD_K;
            Files.write(c.hostPath("/boot/initrd.img-" + k), FixtureSystem.initrdBytes(ModuleFixtures.Arch.X86_64, k,
                    InitrdCompression.ZSTD, false, FakeKernelPackages.ZFS_OLD + "-1", k));
            zstdCopyOf(c, Scenarios.upgradeDeb(c));

            List<String> plain = answers(c);
            assertThat(plain.get(0)).as("status --json reads the zstd initramfs").contains("zstd")
                    .doesNotContain("UNREADABLE").doesNotContain("unreadable");

            Path tmp = c.hostPath("/tmp");
            Exec.host(Duration.ofMinutes(1), "mount", "-t", "tmpfs", "-o", "noexec,nosuid,nodev", "zfsguard-noexec",
                    tmp.toString()).orFail();
            try {
                assertThat(c.run("sh", "-c", "cp /bin/true /tmp/t && /tmp/t").exitCode()).as("/tmp is noexec").isNotZero();
                List<String> noexec = answers(c);
                assertThat(noexec).as("answers with a noexec /tmp vs without").isEqualTo(plain);

                Exec.Result apt = c.run("apt-get", "install", "-y", ZSTD_DEB);
                String out = Scenarios.output(apt);
                assertThat(apt.exitCode()).as(apt.describe()).isZero();
                assertThat(out).as(apt.describe()).contains("zfsguard: ").doesNotContain("hook failed")
                        .doesNotContain("internal error").doesNotContain("decoder cannot run");
                assertThat(Scenarios.backupLines(c, k)).as("the apt hook backed up the replaced kernel").isNotEmpty();
            } finally {
                Exec.host(Duration.ofMinutes(1), "umount", tmp.toString()).orFail();
            }
        }
    }

    /** No jar in the package carries a native library (.so, .dll, .dylib, .jnilib). */
    @Test
    void noJarInThePackageHoldsNativeCode() throws IOException {
        List<String> jars = new ArrayList<>();
        List<String> natives = new ArrayList<>();
        try (ArArchiveInputStream ar = new ArArchiveInputStream(Files.newInputStream(pkg.deb()))) {
            ArArchiveEntry member;
            while ((member = ar.getNextEntry()) != null) {
                if (!member.getName().startsWith("data.tar")) {
                    continue;
                }
                assertThat(member.getName()).isEqualTo("data.tar.xz");
                TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(ar));
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    if (e.getName().endsWith(".jar")) {
                        jars.add(e.getName());
                        natives.addAll(nativeEntries(e.getName(), tar));
                    }
                }
            }
        }
        // commons-codec stays: the LZ4 frames of apt's compressed lists need its XXHash32 (pure Java).
        assertThat(jars).as("jars in the package").anyMatch(j -> j.endsWith("/aircompressor-2.0.3.jar"))
                .noneMatch(j -> j.contains("zstd-jni") || j.contains("error_prone"));
        assertThat(natives).as("native libraries inside the jars").isEmpty();
    }

    private static List<String> nativeEntries(String jar, InputStream in) throws IOException {
        List<String> found = new ArrayList<>();
        ZipInputStream zip = new ZipInputStream(in);
        ZipEntry z;
        while ((z = zip.getNextEntry()) != null) {
            String n = z.getName().toLowerCase(java.util.Locale.ROOT);
            if (n.endsWith(".so") || n.contains(".so.") || n.endsWith(".dll") || n.endsWith(".dylib") || n.endsWith(".jnilib")) {
                found.add(jar + "!" + z.getName());
            }
        }
        return found;
    }

    /** status --json, check's exit code and preflight's answer on the zstd .deb, with their exit codes. */
    private static List<String> answers(Chroot c) {
        // Each run decodes the initramfs itself, not the previous run's cached result.
        c.runOk("rm", "-f", "/var/cache/zfsguard/initramfs-scan.v1");
        List<String> all = new ArrayList<>();
        Exec.Result status = c.run("zfsguard", "status", "--json");
        all.add(status.exitCode() + " " + status.stdout() + status.stderr());
        Exec.Result check = c.run("zfsguard", "check");
        all.add(check.exitCode() + " " + check.stdout() + check.stderr());
        Exec.Result preflight = c.run("zfsguard", "preflight", ZSTD_DEB);
        all.add(preflight.exitCode() + " " + preflight.stdout() + preflight.stderr());
        assertThat(preflight.stdout() + preflight.stderr()).as(preflight.describe())
                .doesNotContain("internal error").doesNotContain("cannot read");
        return all;
    }

    /** The FAKE upgrade package repacked with zstd, as Ubuntu builds its packages. */
    private static void zstdCopyOf(Chroot c, String chrootDeb) {
        Path host = c.hostPath(chrootDeb);
        Path dir = host.resolveSibling("upgrade-unpacked");
        Exec.host(Duration.ofMinutes(2), "dpkg-deb", "-R", host.toString(), dir.toString()).orFail();
        Exec.host(Duration.ofMinutes(2), "dpkg-deb", "--root-owner-group", "-Zzstd", "--build", dir.toString(),
                c.hostPath(ZSTD_DEB).toString()).orFail();
        Exec.host(Duration.ofMinutes(1), "rm", "-rf", "--one-file-system", dir.toString()).orFail();
        assertThat(Exec.host(Duration.ofMinutes(1), "ar", "t", c.hostPath(ZSTD_DEB).toString()).orFail().stdout())
                .contains("data.tar.zst");
    }
}
