package org.zfsguard.dpkg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class UnfinishedPackagesTest {
    /**
     * dpkg status in the states bookworm's dpkg left after DKMS's kernel hook exited 11 for
     * linux-image-6.12.95+deb12-amd64 (the kernel iF, the packages after it iU), rebuilt from
     * that run's dpkg -l with the fields read here; not a copy of the file.
     */
    static final String FAILED_RUN = """
            Package: bash
            Status: install ok installed
            Version: 5.2.15-2+b9

            Package: linux-image-6.12.95+deb12-amd64
            Status: install ok half-configured
            Version: 6.12.95-1~bpo12+1

            Package: linux-image-amd64
            Status: install ok unpacked
            Version: 6.12.95-1~bpo12+1

            Package: linux-headers-6.12.95+deb12-amd64
            Status: install ok unpacked
            Version: 6.12.95-1~bpo12+1

            Package: linux-headers-amd64
            Status: install ok unpacked
            Version: 6.12.95-1~bpo12+1

            Package: zfs-dkms
            Status: install ok installed
            Version: 2.1.11-1+deb12u1

            Package: man-db
            Status: install ok triggers-pending
            Version: 2.11.2-2
            """;

    @Test
    void theHalfConfiguredKernelAndTheUnpackedPackagesAfterItAreFoundOthersNot() {
        List<UnfinishedPackages.Unfinished> u = UnfinishedPackages.parse(FAILED_RUN);
        assertThat(u).extracting(x -> x.packageName() + " " + x.state()).containsExactly(
                "linux-image-6.12.95+deb12-amd64 half-configured", "linux-image-amd64 unpacked",
                "linux-headers-6.12.95+deb12-amd64 unpacked", "linux-headers-amd64 unpacked");
        List<String> advice = UnfinishedPackages.advice(u);
        assertThat(advice.get(0)).isEqualTo("dpkg did not finish the last run: 4 kernel or ZFS packages are not fully installed");
        assertThat(advice).contains("next: sudo dpkg --configure -a");
        assertThat(advice.get(advice.size() - 1)).contains("sudo apt-get remove linux-image-6.12.95+deb12-amd64");
    }

    @Test
    void aCleanStatusSaysNothing() {
        assertThat(UnfinishedPackages.parse("Package: zfs-dkms\nStatus: install ok installed\nVersion: 2.1.11-1\n")).isEmpty();
        assertThat(UnfinishedPackages.advice(List.of())).isEmpty();
    }

    @Test
    void aHalfInstalledOpenZfsNamesTheReinstall() {
        List<UnfinishedPackages.Unfinished> u = UnfinishedPackages.parse(
                "Package: zfs-dkms\nStatus: install reinstreq half-installed\nVersion: 2.3.2-2~bpo12+2\n");
        assertThat(u).extracting(UnfinishedPackages.Unfinished::state).containsExactly("half-installed");
        assertThat(UnfinishedPackages.advice(u)).anySatisfy(l -> assertThat(l).contains("--reinstall"));
    }
}
