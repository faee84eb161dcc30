package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.zfsguard.deb.Scenarios.output;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * The compatibility pin with real apt in a Debian 12 amd64 chroot and the FAKE packages of
 * {@link FakeKernelPackages}: OpenZFS 2.4.0 (Linux-Maximum 6.18) and Armbian kernel 25.11.1
 * installed; a local repository (the chroot's only apt source) offers kernel 26.2.1 (Linux
 * 6.19.6) under the same Armbian name and an unrelated update. {@code apt-get update} writes the
 * pin; {@code apt-get full-upgrade} keeps the kernel back, installs the other update and exits
 * 0 without a refusal by the gate. Then zfs-dkms 2.4.1 (Linux-Maximum 6.19) and kernel 26.5.1
 * (Linux 7.0.1, beyond it too) arrive: the next update downloads zfs-dkms with apt's own
 * {@code apt-get download}, reads its range, and keeps back 26.5.1 only; full-upgrade brings
 * 26.2.1 together with the new OpenZFS. A last update with unchanged lists starts no zfsguard.
 */
class CompatibilityPinIT extends ChrootSuite {
    static final String REPO = "/root/repo";
    static final String PIN = "/etc/apt/preferences.d/zfsguard";
    static final String NEW_ARMBIAN = "26.2.1";
    static final String NEW_K = "6.19.6-current-rockchip64";
    static final String BEYOND_ARMBIAN = "26.5.1";
    static final String BEYOND_K = "7.0.1-current-rockchip64";

    @Test
    void fullUpgradeKeepsTheIncompatibleKernelBackAndBringsItWithACompatibleOpenZfs() throws IOException {
        try (Chroot c = Chroot.bookworm("amd64")) {
            Scenarios.armbianWithZfs(c);
            Scenarios.installZfsguard(c, pkg);
            c.runOk("apt-get", "install", "-y", FakeKernelPackages.copyIn(c, FakeKernelPackages.unrelated()).get(0));

            offer(c, FakeKernelPackages.currentImage(NEW_ARMBIAN, NEW_K), FakeKernelPackages.unrelated("1.1"));
            Exec.Result update = c.runOk("apt-get", "update");
            String pin = Files.readString(c.hostPath(PIN));
            System.out.println("---- apt-get update ----\n" + output(update) + "\n---- zfsguard pin ----\n"
                    + output(c.run("zfsguard", "pin")) + "\n" + c.runOk("ls", "-la", "/var/lib/apt/lists").stdout());
            assertThat(pin).contains("Package: " + FakeKernelPackages.CURRENT_IMAGE + "\nPin: version " + NEW_ARMBIAN
                    + "\nPin-Priority: -1\n");

            Exec.Result kept = c.run("apt-get", "full-upgrade", "-y");
            System.out.println("---- apt-get full-upgrade -y, kernel held by the pin ----\n" + output(kept));
            assertThat(kept.exitCode()).as(kept.describe()).isZero();
            assertThat(output(kept)).doesNotContain("refused");
            assertThat(version(c, FakeKernelPackages.UNRELATED)).isEqualTo("1.1");
            assertThat(version(c, FakeKernelPackages.CURRENT_IMAGE)).isEqualTo(FakeKernelPackages.OLD_VERSION);
            assertThat(c.hostPath("/boot/vmlinuz-" + NEW_K)).doesNotExist();
            assertThat(c.runOk("zfsguard", "pin").stdout()).contains("held: " + FakeKernelPackages.CURRENT_IMAGE + " "
                    + NEW_ARMBIAN + " (Linux 6.19.6)");

            offer(c, FakeKernelPackages.zfsDkms(FakeKernelPackages.ZFS_NEW),
                    FakeKernelPackages.currentImage(BEYOND_ARMBIAN, BEYOND_K));
            c.runOk("apt-get", "update");
            String narrowed = Files.readString(c.hostPath(PIN));
            System.out.println("---- the pin once zfs-dkms 2.4.1's range is known ----\n" + narrowed
                    + "\n---- zfsguard pin ----\n" + output(c.run("zfsguard", "pin")));
            assertThat(narrowed).contains("Package: " + FakeKernelPackages.CURRENT_IMAGE + "\nPin: version "
                    + BEYOND_ARMBIAN + "\nPin-Priority: -1\n").doesNotContain("Pin: version " + NEW_ARMBIAN);
            assertThat(narrowed).contains("OpenZFS " + FakeKernelPackages.ZFS_NEW + " (Linux 4.18 to 6.19)");
            assertThat(c.hostPath("/var/lib/zfsguard/openzfs-meta/" + FakeKernelPackages.ZFS_NEW + "-1")).isRegularFile();
            assertThat(c.runOk("ls", "-A", "/var/lib/zfsguard/candidates").stdout()).isEmpty();

            Exec.Result both = c.run("apt-get", "full-upgrade", "-y");
            System.out.println("---- apt-get full-upgrade -y, with zfs-dkms 2.4.1 in the repository ----\n" + output(both));
            assertThat(both.exitCode()).as(both.describe()).isZero();
            assertThat(output(both)).doesNotContain("refused");
            assertThat(version(c, "zfs-dkms")).isEqualTo(FakeKernelPackages.ZFS_NEW + "-1");
            assertThat(version(c, FakeKernelPackages.CURRENT_IMAGE)).isEqualTo(NEW_ARMBIAN);
            assertThat(Scenarios.journal(c)).contains("\"pin-written\"");

            c.runOk("apt-get", "update");
            c.runOk("mv", "/usr/bin/zfsguard", "/usr/bin/zfsguard.real");
            c.write("/usr/bin/zfsguard", "#!/bin/sh\n# FAKE launcher: records that a hook started zfsguard\n"
                    + "echo \"$*\" >>/root/zfsguard-started\nexit 0\n", "rwxr-xr-x");
            c.runOk("apt-get", "update");
            assertThat(c.hostPath("/root/zfsguard-started")).as("apt-get update with unchanged lists").doesNotExist();
            c.runOk("mv", "-f", "/usr/bin/zfsguard.real", "/usr/bin/zfsguard");
        }
    }

    private static String version(Chroot c, String pkg) {
        return c.runOk("dpkg-query", "-W", "-f=${Version}", pkg).stdout();
    }

    /** Adds {@code debs} to the local repository and makes it the chroot's only apt source. */
    private static void offer(Chroot c, Path... debs) throws IOException {
        for (Path d : debs) {
            c.copyIn(d, REPO + "/" + d.getFileName());
        }
        Path repo = c.hostPath(REPO);
        ProcessBuilder scan = new ProcessBuilder("dpkg-scanpackages", "--multiversion", ".")
                .directory(repo.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(repo.resolve("Packages").toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        scan.environment().clear();
        scan.environment().putAll(Exec.baseEnvironment());
        try {
            Process p = scan.start();
            if (!p.waitFor(2, java.util.concurrent.TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("dpkg-scanpackages failed in " + repo + " (package dpkg-dev)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        c.write("/etc/apt/sources.list", "# FAKE Armbian repository: a local directory.\n"
                + "deb [trusted=yes] file:" + REPO + " ./\n", "rw-r--r--");
        c.runOk("rm", "-f", "/etc/apt/sources.list.d/debian.sources");
    }
}
