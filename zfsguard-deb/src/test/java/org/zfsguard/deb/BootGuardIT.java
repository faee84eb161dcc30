package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.zfsguard.deb.FakeKernelPackages.NEW_K;
import static org.zfsguard.deb.FakeKernelPackages.OLD_K;
import static org.zfsguard.deb.FakeKernelPackages.ZFS_OLD;
import static org.zfsguard.deb.Scenarios.output;

import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;

/**
 * The boot guard with its defaults (boot_guard = hold), in a Debian 12 amd64 chroot with real
 * apt and dpkg and the FAKE Armbian packages of {@link FakeKernelPackages}: an in-place upgrade
 * to a kernel without a ZFS module leaves /boot/Image on the old kernel, restored from the
 * backup taken before dpkg ran, and says so; once the new kernel has its module, the links go
 * forward to it as a trial boot. Needs root (chroot); the real reboots are the VM rig's.
 */
class BootGuardIT extends ChrootSuite {

    @Test
    void anInPlaceUpgradeWithoutModuleKeepsTheOldKernelBootingAndTheModuleSwitchesItForwardAsATrial() {
        try (Chroot c = Chroot.bookworm("amd64")) {
            // restore runs depmod, as on the board.
            c.runOk("apt-get", "update", "-q");
            c.runOk("apt-get", "install", "-y", "-q", "--no-install-recommends", "kmod");
            Scenarios.armbianWithZfs(c);
            Scenarios.installZfsguardHolding(c, pkg);
            byte[] image = Scenarios.bytes(c, "/boot/vmlinuz-" + OLD_K);

            Exec.Result upgrade = c.run("apt-get", "install", "-y", Scenarios.upgradeDeb(c));
            assertThat(upgrade.exitCode()).as(upgrade.describe()).isZero();
            String out = output(upgrade);
            System.out.println("apt-get install (the in-place upgrade):\n" + out.strip());
            // The package replaced the kernel in place; the guard brought the old one back and boots it.
            assertThat(Scenarios.bytes(c, "/boot/vmlinuz-" + OLD_K)).as(upgrade.describe()).isEqualTo(image);
            assertThat(c.hostPath("/lib/modules/" + OLD_K + "/updates/dkms/zfs.ko")).as(upgrade.describe()).exists();
            assertThat(Scenarios.readLink(c, "/boot/Image")).as(upgrade.describe()).isEqualTo("vmlinuz-" + OLD_K);
            assertThat(out).as(upgrade.describe())
                    .contains("zfsguard: boot guard: the next boot now loads " + OLD_K)
                    .contains("restored boot set of " + OLD_K)
                    .contains("SAFE TO REBOOT")
                    .contains("(" + NEW_K + " then boots once as a trial)");
            JsonObject guard = Scenarios.statusJson(c).getAsJsonObject("bootGuard");
            assertThat(guard.get("bootLoaderLoads").getAsString()).as(guard.toString()).isEqualTo(OLD_K);
            assertThat(guard.get("knownGood").getAsString()).as(guard.toString()).isEqualTo(OLD_K);
            assertThat(guard.get("trialPending").isJsonNull()).as(guard.toString()).isTrue();
            Exec.Result check = c.run("zfsguard", "check");
            assertThat(check.exitCode()).as(check.describe()).isZero();
            assertThat(c.hostPath("/var/lib/zfsguard/reboot-unsafe")).doesNotExist();

            // DKMS builds the module for the new kernel; the next kernel hook run switches forward, as a trial.
            FakeKernelPackages.dkmsBuilt(c, NEW_K, ZFS_OLD);
            Exec.Result hook = c.run("/etc/kernel/postinst.d/zfsguard", NEW_K, "/boot/vmlinuz-" + NEW_K);
            assertThat(hook.exitCode()).as(hook.describe()).isZero();
            assertThat(Scenarios.readLink(c, "/boot/Image")).as(hook.describe()).isEqualTo("vmlinuz-" + NEW_K);
            System.out.println("/etc/kernel/postinst.d/zfsguard after the module was built:\n" + output(hook).strip());
            assertThat(output(hook)).as(hook.describe()).contains("boots once as a trial");
            guard = Scenarios.statusJson(c).getAsJsonObject("bootGuard");
            JsonObject trial = guard.getAsJsonObject("trialPending");
            assertThat(trial.get("kernel").getAsString()).as(guard.toString()).isEqualTo(NEW_K);
            assertThat(trial.get("fallback").getAsString()).as(guard.toString()).isEqualTo(OLD_K);
            assertThat(Scenarios.journalEvents(c)).as("journal")
                    .anyMatch(e -> e.get("event").getAsString().equals("boot-guard")
                            && e.get("decision").getAsString().equals("trial"));
        }
    }
}
