package org.zfsguard.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunningKernelTest {

    @Test
    void aSystemWithAMountAtItsRootIsNotAChroot() {
        String host = """
                22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
                23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
                """;
        assertThat(RunningKernel.rootIsAMountPoint(host)).isTrue();
    }

    @Test
    void aChrootIntoAPlainDirectorySeesNoMountAtItsRoot() {
        // What a process chrooted into /var/tmp/build sees: only the mounts below its root.
        String chroot = """
                310 22 0:70 / /proc rw,relatime - proc proc rw
                311 22 0:5 /null /dev/null rw,nosuid - devtmpfs udev rw
                """;
        assertThat(RunningKernel.rootIsAMountPoint(chroot)).isFalse();
        assertThat(RunningKernel.rootIsAMountPoint("")).isFalse();
        assertThat(RunningKernel.rootIsAMountPoint("garbage\n\u0000\n")).isFalse();
    }

    @Test
    void thisTestMachineIsNotAChroot() {
        assertThat(RunningKernel.inChroot()).isFalse();
    }
}
