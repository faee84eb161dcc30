package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DkmsInvocationTest {
    private static final KernelRelease K = KernelRelease.parse("6.12.58-current-rockchip64");

    @Test
    void exactArgumentListAtLowestPriority() {
        DkmsInvocation inv = DkmsInvocation.of("2.4.0", K, 1, false);
        assertThat(inv.argv()).containsExactly("/usr/bin/nice", "-n", "19", "/usr/bin/ionice", "-c", "3",
                "/usr/sbin/dkms", "install", "zfs/2.4.0", "-k", "6.12.58-current-rockchip64", "-j", "1");
    }

    @Test
    void forceOnlyWhenReplacing() {
        assertThat(DkmsInvocation.of("2.4.0", K, 2, true).argv()).endsWith("-j", "2", "--force");
        assertThat(DkmsInvocation.of("2.4.0", K, 2, false).argv()).doesNotContain("--force");
    }

    @Test
    void environmentCarriesTheJobCount() {
        assertThat(DkmsInvocation.of("2.1.11", K, 3, false).environment())
                .isEqualTo(Map.of("parallel_jobs", "3", "ZFSGUARD_JOBS", "3", "TEST_JOBS", "3"));
        assertThat(DkmsInvocation.CLEARED_ENVIRONMENT).contains("MAKEFLAGS");
    }

    @Test
    void makeLogPath() {
        assertThat(DkmsInvocation.of("2.2.7", K, 1, false).makeLogPath())
                .isEqualTo("/var/lib/dkms/zfs/2.2.7/build/make.log");
    }

    @Test
    void renderedForPeople() {
        assertThat(DkmsInvocation.of("2.4.0", K, 1, true).render()).isEqualTo(
                "parallel_jobs=1 ZFSGUARD_JOBS=1 TEST_JOBS=1 /usr/bin/nice -n 19 /usr/bin/ionice -c 3 /usr/sbin/dkms install"
                        + " zfs/2.4.0 -k 6.12.58-current-rockchip64 -j 1 --force");
    }

    @Test
    void renderQuotesWhatAShellWouldSplit() {
        BuildTools tools = new BuildTools("/usr/bin/nice", "/usr/bin/ionice", List.of("/bin/sh", "/tmp/my dir/fake-dkms"));
        assertThat(new DkmsInvocation("2.4.0", K, 1, false, tools).render()).contains("/bin/sh '/tmp/my dir/fake-dkms' install");
        assertThat(DkmsInvocation.quote("it's")).isEqualTo("'it'\\''s'");
    }

    @Test
    void toolsReplaceableForTests() {
        BuildTools tools = new BuildTools("nice", "ionice", List.of("/bin/sh", "/x/fake-dkms"));
        assertThat(new DkmsInvocation("2.4.0", K, 1, false, tools).argv())
                .containsSubsequence("ionice", "-c", "3", "/bin/sh", "/x/fake-dkms", "install");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65, 1000})
    void rejectsJobCountsOutOfRange(int jobs) {
        assertThatThrownBy(() -> DkmsInvocation.of("2.4.0", K, jobs, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jobs must be 1..64");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "v2.4.0", "2.4.0/../../x", "2.4..0", "2.4.0 -k", "2.4.0;id", "-2"})
    void rejectsBadVersions(String v) {
        assertThatThrownBy(() -> DkmsInvocation.of(v, K, 1, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not a ZFS module version");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2.4.0", "2.1.11", "2.2.0-rc1", "2.1.11+deb12u1", "0.8.6"})
    void acceptsRealVersions(String v) {
        assertThat(DkmsInvocation.of(v, K, 1, false).zfsVersion()).isEqualTo(v);
    }
}
