package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.zfsguard.deb.Scenarios.output;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The compatibility pin with Debian's real packages and real apt, in a Debian 12 amd64 chroot
 * (needs Debian's archive, as the chroot bases do): bookworm's {@code linux-image-amd64} (Linux
 * 6.1) and {@code zfs-dkms} 2.1.11 (Linux-Maximum 6.2) installed. The real bookworm-backports
 * packages that a {@code -t bookworm-backports} upgrade brings are downloaded by apt itself and
 * offered from a local repository made by {@code apt-ftparchive} whose Release says
 * bookworm-backports, so that each step sees exactly the packages it is about: first the 6.12
 * kernel (its metapackage and versioned image) and a FAKE unrelated update, then backports'
 * {@code zfs-dkms}.
 *
 * <p>{@code apt-get -t bookworm-backports full-upgrade} and the real {@code unattended-upgrade}
 * keep the kernel back, install the other update and exit 0; with backports' zfs-dkms in the
 * lists, {@code apt-get update} learns its Linux range from the package and lifts the hold, and
 * the next full-upgrade brings both.
 */
class RealBackportsPinIT extends ChrootSuite {
    private static final Duration LONG = Duration.ofMinutes(20);
    private static final String REPO = "/root/repo";
    private static final String PIN = "/etc/apt/preferences.d/zfsguard";
    private static final String BPO = "deb http://deb.debian.org/debian bookworm-backports main contrib\n";
    private static final Pattern VERSIONED = Pattern.compile("linux-image-(6\\.\\d+\\.\\d+[^ ,]*-amd64)");

    @Test
    void backportsKernelIsKeptBackUntilBackportsOpenZfsSupportsIt() throws IOException {
        try (Chroot c = Chroot.bookworm("amd64")) {
            c.runOk("sed", "-i", "s/ main$/ main contrib/", "/etc/apt/sources.list");
            // A small initramfs: the test is about apt, not about what the kernel boots with.
            c.write("/etc/initramfs-tools/conf.d/zfsguard-test", "MODULES=list\n", "rw-r--r--");
            c.write("/etc/apt/sources.list.d/backports.list", BPO, "rw-r--r--");
            c.runOk("apt-get", "update");
            c.run(LONG, "apt-get", "install", "-y", "--no-install-recommends", "linux-image-amd64", "zfs-dkms",
                    "unattended-upgrades", "apt-utils").orFail();
            String oldMeta = version(c, "linux-image-amd64");
            String oldZfs = version(c, "zfs-dkms");
            assertThat(oldZfs).startsWith("2.1.11");

            // What a -t bookworm-backports upgrade needs, downloaded by apt: the kernel first, then zfs-dkms.
            List<String> kernelDebs = downloadOnly(c, "phase1", "linux-image-amd64");
            List<String> zfsDebs = downloadOnly(c, "phase2", "zfs-dkms");
            assertThat(kernelDebs).anyMatch(d -> d.startsWith("linux-image-amd64_6.12"));
            assertThat(zfsDebs).anyMatch(d -> d.startsWith("zfs-dkms_"));
            Files.delete(c.hostPath("/etc/apt/sources.list.d/backports.list"));

            c.runOk("apt-get", "install", "-y", FakeKernelPackages.copyIn(c, FakeKernelPackages.unrelated()).get(0));
            Scenarios.installZfsguard(c, pkg);

            offer(c, "phase1", FakeKernelPackages.unrelated("1.1"));
            c.runOk("apt-get", "update");
            String pin = Files.readString(c.hostPath(PIN));
            String versioned = versionedImage(kernelDebs);
            System.out.println("---- the pin with backports' kernel in the lists ----\n" + pin);
            assertThat(pin).contains("Package: linux-image-amd64\nPin: version 6.12")
                    .contains("Package: " + versioned + "\n").contains("Pin-Priority: -1");

            Exec.Result kept = c.run(LONG, "apt-get", "-t", "bookworm-backports", "full-upgrade", "-y");
            System.out.println("---- apt-get -t bookworm-backports full-upgrade -y ----\n" + output(kept));
            assertThat(kept.exitCode()).as(kept.describe()).isZero();
            assertThat(output(kept)).doesNotContain("refused");
            assertThat(version(c, FakeKernelPackages.UNRELATED)).isEqualTo("1.1");
            assertThat(version(c, "linux-image-amd64")).isEqualTo(oldMeta);
            assertThat(c.run("dpkg-query", "-W", versioned).exitCode()).isNotZero();

            offer(c, "phase1", FakeKernelPackages.unrelated("1.1"), FakeKernelPackages.unrelated("1.2"));
            c.runOk("apt-get", "update");
            c.write("/etc/apt/apt.conf.d/51zfsguard-test", "Unattended-Upgrade::Origins-Pattern {\n"
                    + "    \"origin=Debian Backports,codename=bookworm-backports\";\n};\n", "rw-r--r--");
            Exec.Result unattended = c.run(LONG, "unattended-upgrade", "-v");
            System.out.println("---- unattended-upgrade -v ----\n" + output(unattended));
            assertThat(unattended.exitCode()).as(unattended.describe()).isZero();
            assertThat(version(c, FakeKernelPackages.UNRELATED)).isEqualTo("1.2");
            assertThat(version(c, "linux-image-amd64")).isEqualTo(oldMeta);

            offer(c, "phase2", FakeKernelPackages.unrelated("1.1"), FakeKernelPackages.unrelated("1.2"));
            c.runOk("apt-get", "update");
            String lifted = Files.readString(c.hostPath(PIN));
            System.out.println("---- the pin with backports' zfs-dkms in the lists ----\n" + lifted
                    + "\n---- zfsguard pin ----\n" + output(c.run("zfsguard", "pin")));
            assertThat(lifted).doesNotContain("Package: linux-image-amd64\n");

            Exec.Result both = c.run(LONG, "apt-get", "-t", "bookworm-backports", "full-upgrade", "-y");
            System.out.println("---- apt-get -t bookworm-backports full-upgrade -y, with zfs-dkms ----\n" + output(both));
            assertThat(both.exitCode()).as(both.describe()).isZero();
            assertThat(version(c, "linux-image-amd64")).startsWith("6.12");
            assertThat(version(c, "zfs-dkms")).isNotEqualTo(oldZfs);
        }
    }

    private static String version(Chroot c, String pkg) {
        return c.runOk("dpkg-query", "-W", "-f=${Version}", pkg).stdout();
    }

    private static String versionedImage(List<String> debs) {
        for (String d : debs) {
            Matcher m = VERSIONED.matcher(d);
            if (d.startsWith("linux-image-6") && m.find()) {
                return d.substring(0, d.indexOf('_'));
            }
        }
        throw new AssertionError("no versioned kernel image among " + debs);
    }

    /** Has apt download what {@code -t bookworm-backports install pkg} would install, into /root/NAME. */
    private static List<String> downloadOnly(Chroot c, String name, String pkg) throws IOException {
        c.runOk("apt-get", "clean");
        c.run(LONG, "apt-get", "install", "-y", "--download-only", "--no-install-recommends", "-t",
                "bookworm-backports", pkg).orFail();
        Path to = Files.createDirectories(c.hostPath("/root/" + name));
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(c.hostPath("/var/cache/apt/archives"), "*.deb")) {
            for (Path deb : s) {
                names.add(deb.getFileName().toString());
                Files.move(deb, to.resolve(deb.getFileName()));
            }
        }
        return names;
    }

    /**
     * Makes {@link #REPO} hold the packages of /root/PHASE (phase2 includes phase1's) and
     * {@code extra}, with a Release file as bookworm-backports has, and adds it as an apt source.
     */
    private static void offer(Chroot c, String phase, Path... extra) throws IOException {
        Path repo = Files.createDirectories(c.hostPath(REPO));
        for (String p : phase.equals("phase2") ? List.of("phase1", "phase2") : List.of("phase1")) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(c.hostPath("/root/" + p), "*.deb")) {
                for (Path deb : s) {
                    Files.copy(deb, repo.resolve(deb.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        for (Path d : extra) {
            c.copyIn(d, REPO + "/" + d.getFileName());
        }
        // Paths relative to the chroot's / (its working directory): Filename is then relative to file:/.
        String packages = c.runOk("apt-ftparchive", "packages", REPO.substring(1)).stdout();
        Files.writeString(repo.resolve("Packages"), packages);
        Files.deleteIfExists(repo.resolve("Release"));
        String release = c.runOk("apt-ftparchive", "-o", "APT::FTPArchive::Release::Origin=Debian Backports",
                "-o", "APT::FTPArchive::Release::Label=Debian Backports",
                "-o", "APT::FTPArchive::Release::Suite=bookworm-backports",
                "-o", "APT::FTPArchive::Release::Codename=bookworm-backports", "release", REPO.substring(1)).stdout();
        Files.writeString(repo.resolve("Release"), release);
        c.write("/etc/apt/sources.list.d/local-backports.list",
                "# bookworm-backports' real packages, served from a local directory.\n"
                        + "deb [trusted=yes] file:/ " + REPO.substring(1) + "/\n", "rw-r--r--");
    }
}
