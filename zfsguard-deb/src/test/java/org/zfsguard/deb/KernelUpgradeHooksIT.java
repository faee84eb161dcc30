package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.zfsguard.deb.FakeKernelPackages.NEW_K;
import static org.zfsguard.deb.FakeKernelPackages.OLD_K;
import static org.zfsguard.deb.FakeKernelPackages.ZFS_OLD;
import static org.zfsguard.deb.Scenarios.output;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.SortedMap;

import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;

/**
 * Armbian's in-place kernel upgrade with the installed package's hooks, in a Debian 12 amd64
 * chroot with real apt and dpkg and the FAKE packages of {@link FakeKernelPackages}: the old
 * kernel's boot set is backed up before dpkg or DKMS touch it, the verdict is printed, faults of
 * zfsguard never fail apt, and the hooks are inert once the package is removed.
 */
class KernelUpgradeHooksIT extends ChrootSuite {

    @Test
    void aptUpgradeBacksUpTheOldKernelWarnsAndRestoreBringsItBack() {
        try (Chroot c = Chroot.bookworm("amd64")) {
            // restore runs depmod, as on the board.
            c.runOk("apt-get", "update", "-q");
            c.runOk("apt-get", "install", "-y", "-q", "--no-install-recommends", "kmod");
            Scenarios.armbianWithZfs(c);
            Scenarios.installZfsguard(c, pkg);
            byte[] zfsKo = Scenarios.bytes(c, "/lib/modules/" + OLD_K + "/updates/dkms/zfs.ko");
            byte[] dummyKo = Scenarios.bytes(c, "/lib/modules/" + OLD_K + "/kernel/drivers/dummy.ko");
            byte[] image = Scenarios.bytes(c, "/boot/vmlinuz-" + OLD_K);

            Exec.Result upgrade = c.run("apt-get", "install", "-y", Scenarios.upgradeDeb(c));
            assertThat(upgrade.exitCode()).as(upgrade.describe()).isZero();
            // The upgrade really replaced the running kernel in place and DKMS's prerm ran.
            assertThat(c.hostPath("/boot/vmlinuz-" + OLD_K)).doesNotExist();
            assertThat(c.hostPath("/lib/modules/" + OLD_K + "/updates/dkms/zfs.ko")).doesNotExist();
            assertThat(Scenarios.readLink(c, "/boot/Image")).isEqualTo("vmlinuz-" + NEW_K);

            String out = output(upgrade);
            assertThat(out).as(upgrade.describe()).contains("zfsguard: ").contains("NOT SAFE TO REBOOT").contains(NEW_K);

            // One valid backup of the old kernel, taken before the DKMS stand-in deleted zfs.ko.
            List<String> backups = Scenarios.backupLines(c, OLD_K);
            assertThat(backups).as(Scenarios.backups(c).describe() + "\n--- after ---\n" + upgrade.describe()).singleElement().asString().matches(Scenarios.GOOD_BACKUP);
            Exec.Result verify = c.run("zfsguard", "verify");
            assertThat(verify.exitCode()).as(verify.describe()).isZero();
            assertThat(Scenarios.filesWithContent(c, Scenarios.STATE, zfsKo)).as("zfs.ko of " + OLD_K + " in the store")
                    .isNotEmpty();
            assertThat(Scenarios.filesWithContent(c, Scenarios.STATE, image)).as("vmlinuz of " + OLD_K + " in the store")
                    .isNotEmpty();
            assertThat(Scenarios.textFilesMentioning(c, Scenarios.STATE, "updates/dkms/zfs.ko"))
                    .as("a manifest listing updates/dkms/zfs.ko").isNotEmpty();
            assertThat(Scenarios.journalEvents(c)).as("journal").isNotEmpty();

            Exec.Result restore = c.run("zfsguard", "restore", OLD_K, "--activate");
            assertThat(restore.exitCode()).as(restore.describe()).isZero();
            assertThat(Scenarios.bytes(c, "/boot/vmlinuz-" + OLD_K)).isEqualTo(image);
            assertThat(Scenarios.bytes(c, "/lib/modules/" + OLD_K + "/kernel/drivers/dummy.ko")).isEqualTo(dummyKo);
            assertThat(Scenarios.bytes(c, "/lib/modules/" + OLD_K + "/updates/dkms/zfs.ko")).isEqualTo(zfsKo);
            assertThat(Scenarios.readLink(c, "/boot/Image")).isEqualTo("vmlinuz-" + OLD_K);

            JsonObject status = Scenarios.statusJson(c);
            assertThat(status.getAsJsonObject("nextBoot").get("kernel").getAsString()).as(status.toString()).isEqualTo(OLD_K);
            JsonObject old = Scenarios.kernelIn(status, OLD_K);
            assertThat(old.get("verdict").getAsString()).as(old.toString()).isEqualTo("OK");
            assertThat(old.get("nextBoot").getAsBoolean()).isTrue();
            Exec.Result table = c.run("zfsguard", "status");
            assertThat(table.stdout().lines().filter(l -> l.startsWith(OLD_K + " "))).as(table.describe())
                    .singleElement().asString().contains("next").endsWith("OK");
            assertThat(table.stdout()).as(table.describe()).contains("next boot: " + OLD_K);
            // dpkg still owns the new kernel: restore adds the old one beside it, it removes nothing.
            assertThat(c.hostPath("/boot/vmlinuz-" + NEW_K)).isRegularFile();
        }
    }

    @Test
    void unrelatedPackageStartsNoJvmAndLeavesTheStateAlone() throws IOException {
        try (Chroot c = Chroot.bookworm("amd64")) {
            Scenarios.armbianWithZfs(c);
            Scenarios.installZfsguard(c, pkg);
            // A kernel change first, so that there is a journal and there are backups to leave alone.
            c.runOk("apt-get", "install", "-y", Scenarios.upgradeDeb(c));
            SortedMap<String, String> stateBefore = Scenarios.tree(c, Scenarios.STATE);
            String journalBefore = Scenarios.journal(c);
            assertThat(c.hostPath(Scenarios.PENDING)).doesNotExist();
            String unrelated = FakeKernelPackages.copyIn(c, FakeKernelPackages.unrelated()).get(0);

            Exec.Result r = c.run("env", "ZFSGUARD_TRACE=/root/trace", "apt-get", "install", "-y", unrelated);
            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(c.run("dpkg-query", "-W", "-f=${Status}", FakeKernelPackages.UNRELATED).stdout())
                    .isEqualTo("install ok installed");
            assertThat(c.hostPath("/root/trace")).as("ZFSGUARD_TRACE: JVM starts during the unrelated install")
                    .doesNotExist();
            assertThat(output(r)).doesNotContain("zfsguard: ");
            assertThat(Scenarios.tree(c, Scenarios.STATE)).as("state directory").isEqualTo(stateBefore);
            assertThat(Scenarios.journal(c)).isEqualTo(journalBefore);
            assertThat(c.hostPath(Scenarios.PENDING)).doesNotExist();
            assertThat(c.hostPath(Scenarios.PENDING_TRIGGER)).doesNotExist();

            // The trace does record a start, so its absence above means something.
            c.runOk("env", "ZFSGUARD_TRACE=/root/trace", "zfsguard", "--version");
            assertThat(Files.readString(c.hostPath("/root/trace")).lines()).hasSize(1);
        }
    }

    @Test
    void plainDpkgUpgradeIsBackedUpByTheKernelPrermHookBeforeDkms() {
        try (Chroot c = Chroot.bookworm("amd64")) {
            Scenarios.armbianWithZfs(c);
            Scenarios.installZfsguard(c, pkg);
            byte[] zfsKo = Scenarios.bytes(c, "/lib/modules/" + OLD_K + "/updates/dkms/zfs.ko");
            // Both kernel hook directories sort zfsguard before DKMS.
            List<String> prerm = c.runOk("run-parts", "--test", "--arg=" + OLD_K, "/etc/kernel/prerm.d").stdout().lines().toList();
            assertThat(prerm).containsSubsequence(Scenarios.KERNEL_PRERM, "/etc/kernel/prerm.d/dkms");

            Exec.Result r = c.run("dpkg", "-i", Scenarios.upgradeDeb(c));
            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(c.hostPath("/lib/modules/" + OLD_K + "/updates/dkms/zfs.ko")).doesNotExist();
            String out = output(r);
            assertThat(out).as(r.describe()).contains("SAFE TO REBOOT").contains(NEW_K);
            assertThat(out).as("the DKMS stand-in ran").contains("dkms: removing: zfs/" + ZFS_OLD + " (" + OLD_K + ")");

            assertThat(Scenarios.backupLines(c, OLD_K)).as(Scenarios.backups(c).describe() + "\n--- after ---\n" + r.describe())
                    .singleElement().asString().matches(Scenarios.GOOD_BACKUP);
            assertThat(Scenarios.filesWithContent(c, Scenarios.STATE, zfsKo))
                    .as("zfs.ko of " + OLD_K + ", deleted by the DKMS stand-in, kept by the backup").isNotEmpty();
            Exec.Result verify = c.run("zfsguard", "verify");
            assertThat(verify.exitCode()).as(verify.describe()).isZero();
        }
    }

    @Test
    void faultsOfZfsguardNeverFailApt() throws IOException {
        try (Chroot c = Chroot.bookworm("amd64")) {
            Scenarios.armbianWithZfs(c);
            Scenarios.installZfsguard(c, pkg);
            String upgrade = Scenarios.upgradeDeb(c);
            String old = Scenarios.oldDeb(c);
            String config = Files.readString(c.hostPath(Scenarios.CONFIG));

            // 1. The jar is gone.
            c.runOk("mv", Scenarios.JAR, "/root/zfsguard.jar.hidden");
            assertKernelChangeSucceeds(c, upgrade, "jar missing");
            c.runOk("mv", "/root/zfsguard.jar.hidden", Scenarios.JAR);

            // 2. No Java at all.
            c.runOk("mv", "/usr/lib/jvm", "/usr/lib/jvm.hidden");
            assertKernelChangeSucceeds(c, old, "Java removed");
            c.runOk("mv", "/usr/lib/jvm.hidden", "/usr/lib/jvm");
            FakeKernelPackages.dkmsBuilt(c, OLD_K, ZFS_OLD);

            // 3. The state directory is on a full, tiny file system.
            String state = c.hostPath(Scenarios.STATE).toString();
            Exec.host(Duration.ofMinutes(1), "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", state).orFail();
            try {
                c.run("dd", "if=/dev/zero", "of=" + Scenarios.STATE + "/filler", "bs=1k");
                assertThat(Files.size(c.hostPath(Scenarios.STATE + "/filler"))).isGreaterThan(32 * 1024);
                assertKernelChangeSucceeds(c, upgrade, "state directory full");
            } finally {
                Exec.host(Duration.ofMinutes(1), "umount", state).orFail();
            }

            // 4. A configuration file that is not one.
            c.write(Scenarios.CONFIG, "\u0000\u00ff junk [[[ = = =\nmax-temp = banana\n", "rw-r--r--");
            assertKernelChangeSucceeds(c, old, "garbage configuration");
            c.write(Scenarios.CONFIG, config, "rw-r--r--");

            Exec.Result backups = c.run("zfsguard", "backups");
            assertThat(backups.exitCode()).as(backups.describe()).isZero();
            assertThat(backups.stdout().toLowerCase()).as(backups.describe()).doesNotContain("invalid");
            Exec.Result verify = c.run("zfsguard", "verify");
            assertThat(verify.exitCode()).as(verify.describe()).isZero();
        }
    }

    private static void assertKernelChangeSucceeds(Chroot c, String deb, String fault) {
        Exec.Result r = c.run("apt-get", "install", "-y", "--allow-downgrades", deb);
        assertThat(r.exitCode()).as(fault + "\n" + r.describe()).isZero();
        // The hooks did run and said something: the fault was met, not bypassed.
        assertThat(output(r)).as(fault + "\n" + r.describe()).contains("zfsguard: ");
        System.out.println("--- " + fault + " ---\n" + output(r).lines().filter(l -> l.contains("zfsguard"))
                .collect(java.util.stream.Collectors.joining("\n")));
        assertThat(c.runOk("dpkg-query", "-W", "-f=${Status}", FakeKernelPackages.CURRENT_IMAGE).stdout())
                .as(fault).isEqualTo("install ok installed");
        Exec.Result audit = c.run("dpkg", "--audit");
        assertThat(audit.stdout()).as(fault + ": dpkg --audit\n" + audit.describe()).isEmpty();
    }

    @Test
    void removedPackageLeavesInertHooks() {
        try (Chroot c = Chroot.bookworm("amd64")) {
            Scenarios.armbianWithZfs(c);
            Scenarios.installZfsguard(c, pkg);
            c.runOk("apt-get", "remove", "-y", "zfsguard");
            assertThat(c.run("dpkg-query", "-W", "-f=${Status}", "zfsguard").stdout()).isEqualTo("deinstall ok config-files");
            // The conffiles that keep naming the hook programs are still there; the programs are not.
            assertThat(c.hostPath(Scenarios.APT_CONF)).isRegularFile();
            assertThat(c.hostPath(Scenarios.KERNEL_PRERM)).isRegularFile();
            assertThat(c.hostPath(Scenarios.APT_HOOK)).doesNotExist();
            SortedMap<String, String> state = Scenarios.tree(c, Scenarios.STATE);

            Exec.Result r = c.run("env", "ZFSGUARD_TRACE=/root/trace", "apt-get", "install", "-y", Scenarios.upgradeDeb(c));
            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(c.runOk("dpkg-query", "-W", "-f=${Version}", FakeKernelPackages.CURRENT_IMAGE).stdout())
                    .isEqualTo(FakeKernelPackages.NEW_VERSION);
            assertThat(output(r)).as(r.describe()).doesNotContain("zfsguard: ");
            assertThat(c.hostPath("/root/trace")).doesNotExist();
            assertThat(Scenarios.tree(c, Scenarios.STATE)).isEqualTo(state);
            Exec.Result dpkg = c.run("dpkg", "-i", Scenarios.oldDeb(c));
            assertThat(dpkg.exitCode()).as(dpkg.describe()).isZero();
            assertThat(Scenarios.tree(c, Scenarios.STATE)).isEqualTo(state);
        }
    }

    @Test
    void sameStreamTwiceMakesOneBackupSet() throws IOException {
        String stream;
        try (InputStream in = KernelUpgradeHooksIT.class.getResourceAsStream(
                "/apt-streams/02-armbian-in-place-kernel-upgrade.v3")) {
            assertThat(in).as("captured apt stream on the test class path").isNotNull();
            stream = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Chroot c = Chroot.bookworm("amd64")) {
            Scenarios.armbianWithZfs(c);
            Scenarios.installZfsguard(c, pkg);
            String deb = Scenarios.upgradeDeb(c);
            String adapted = stream.replace("/tmp/linux-image-current-rockchip64_25.11.2_all.deb", deb);
            assertThat(adapted).contains(deb).doesNotContain("/tmp/");
            c.write("/root/stream.v3", adapted, "rw-------");

            StringBuilder runs = new StringBuilder();
            for (int run = 1; run <= 2; run++) {
                Exec.Result r = Scenarios.aptHookWithStream(c, "/root/stream.v3");
                assertThat(r.exitCode()).as("run " + run + "\n" + r.describe()).isZero();
                runs.append(r.describe()).append('\n');
            }
            assertThat(Scenarios.backupLines(c, OLD_K)).as("backups of " + OLD_K + " after the same stream twice\n"
                    + Scenarios.backups(c).describe() + "\n" + runs)
                    .hasSize(1);
            byte[] zfsKo = Scenarios.bytes(c, "/lib/modules/" + OLD_K + "/updates/dkms/zfs.ko");
            assertThat(Scenarios.filesWithContent(c, Scenarios.STATE, zfsKo)).as("copies of zfs.ko in the store")
                    .hasSize(1);
            Exec.Result verify = c.run("zfsguard", "verify");
            assertThat(verify.exitCode()).as(verify.describe()).isZero();
        }
    }
}
