package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.zfsguard.deb.FakeKernelPackages.EDGE_IMAGE;
import static org.zfsguard.deb.FakeKernelPackages.EDGE_K;
import static org.zfsguard.deb.Scenarios.output;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;

/**
 * The preflight gate with real apt in a Debian 12 amd64 chroot and the FAKE packages of
 * {@link FakeKernelPackages}: OpenZFS 2.4.0 installed (Linux-Maximum 6.18), an edge kernel
 * 6.19.6 arrives. apt is stopped before anything is unpacked; the documented override lets
 * it through and is journaled; with OpenZFS 2.4.1 (Linux-Maximum 6.19) in the same
 * transaction there is nothing to refuse.
 */
class PreflightGateIT extends ChrootSuite {

    @Test
    void refusesAKernelTheInstalledOpenZfsCannotBuildForUnlessOverriddenOrUpgradedTogether() {
        try (Chroot c = Chroot.bookworm("amd64")) {
            Scenarios.armbianWithZfs(c);
            Scenarios.installZfsguard(c, pkg);
            String edge = FakeKernelPackages.copyIn(c, FakeKernelPackages.edgeImage()).get(0);
            String zfs241 = FakeKernelPackages.copyIn(c, FakeKernelPackages.zfsDkms(FakeKernelPackages.ZFS_NEW)).get(0);
            String packagesBefore = c.runOk("dpkg", "-l").stdout();
            SortedMap<String, Chroot.FileEntry> filesBefore = outsideZfsguardState(c.fileList());

            // 1. Refused: apt stops before dpkg unpacks anything.
            Exec.Result refused = c.run("apt-get", "install", "-y", edge);
            assertThat(refused.exitCode()).as(refused.describe()).isNotZero();
            assertThat(output(refused)).as(refused.describe()).contains("zfsguard: ").contains("refused").contains(EDGE_K)
                    .contains("ZFSGUARD_PREFLIGHT=warn");
            // The gate's documented exit status reaches apt through the apt.conf.d line unchanged.
            assertThat(output(refused)).as(refused.describe()).contains("returned an error code (10)");
            assertThat(c.runOk("dpkg", "-l").stdout()).as("dpkg -l after the refusal").isEqualTo(packagesBefore);
            assertThat(Chroot.differences(filesBefore, outsideZfsguardState(c.fileList())))
                    .as("file list before vs after the refused install").isEmpty();
            assertThat(c.hostPath("/boot/vmlinuz-" + EDGE_K)).doesNotExist();
            Exec.Result audit = c.run("dpkg", "--audit");
            assertThat(audit.stdout()).as(audit.describe()).isEmpty();

            // 2. The documented override: the same install proceeds, and the journal says so.
            int eventsBefore = Scenarios.journalEvents(c).size();
            Exec.Result warned = c.run("env", "ZFSGUARD_PREFLIGHT=warn", "apt-get", "install", "-y", edge);
            assertThat(warned.exitCode()).as(warned.describe()).isZero();
            assertThat(c.runOk("dpkg-query", "-W", "-f=${Status}", EDGE_IMAGE).stdout()).isEqualTo("install ok installed");
            assertThat(c.hostPath("/boot/vmlinuz-" + EDGE_K)).isRegularFile();
            List<JsonObject> newEvents = Scenarios.journalEvents(c).subList(eventsBefore, Scenarios.journalEvents(c).size());
            assertThat(newEvents).as("journal events of the overridden install")
                    .anySatisfy(e -> assertThat(e.toString().toLowerCase()).contains("override").contains(EDGE_K.toLowerCase()));

            // 3. The kernel together with an OpenZFS that supports it: nothing to refuse.
            c.runOk("dpkg", "--purge", EDGE_IMAGE);
            assertThat(c.hostPath("/boot/vmlinuz-" + EDGE_K)).doesNotExist();
            Exec.Result together = c.run("apt-get", "install", "-y", edge, zfs241);
            assertThat(together.exitCode()).as(together.describe()).isZero();
            assertThat(output(together)).doesNotContain("refused");
            assertThat(c.runOk("dpkg-query", "-W", "-f=${Version}", "zfs-dkms").stdout()).isEqualTo("2.4.1-1");
            assertThat(c.runOk("dpkg-query", "-W", "-f=${Status}", EDGE_IMAGE).stdout()).isEqualTo("install ok installed");
        }
    }

    /** The file list without zfsguard's own journal and caches, which a refusal may write to. */
    private static SortedMap<String, Chroot.FileEntry> outsideZfsguardState(Map<String, Chroot.FileEntry> all) {
        SortedMap<String, Chroot.FileEntry> kept = new TreeMap<>();
        all.forEach((path, e) -> {
            if (!path.startsWith(Scenarios.STATE + "/") && !path.startsWith("/var/cache/zfsguard/")
                    && !path.startsWith("/tmp/") && !path.startsWith("/var/cache/debconf/")) {
                kept.put(path, e);
            }
        });
        return kept;
    }
}
