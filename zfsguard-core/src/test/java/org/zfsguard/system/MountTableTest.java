package org.zfsguard.system;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MountTableTest {
    private static final String MOUNTINFO = String.join("\n",
            "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw",
            "23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw",
            "24 22 179:1 / /boot ro,relatime shared:2 - ext4 /dev/mmcblk0p1 ro",
            "25 22 0:52 / /media/usb\\040stick rw - vfat /dev/sda1 rw",
            "26 22 0:53 / /bootstrap rw - tmpfs t rw",
            "");

    @Test
    void findsTheLongestMountPointThatContainsAPath() {
        MountTable t = MountTable.parse(MOUNTINFO);
        assertThat(t.mountPointOf("/boot")).isEqualTo("/boot");
        assertThat(t.mountPointOf("/boot/dtb-6.12.58-current-rockchip64/rockchip")).isEqualTo("/boot");
        assertThat(t.mountPointOf("/bootstrap/x")).isEqualTo("/bootstrap");
        assertThat(t.mountPointOf("/bootx")).isEqualTo("/");
        assertThat(t.mountPointOf("/lib/modules")).isEqualTo("/");
        assertThat(t.mountPointOf("/media/usb stick/a")).isEqualTo("/media/usb stick");
    }

    @Test
    void unescapesOctalButLeavesOtherBackslashes() {
        MountTable t = MountTable.parse("1 0 0:1 / /a\\040b\\011c\\134d rw - x x rw\n2 0 0:2 / /x\\9y\\04 rw - x x rw");
        assertThat(t.mountPoints()).containsExactly("/a b\tc\\d", "/x\\9y\\04");
    }

    @Test
    void garbageHasNoMountPointsAndEverythingIsUnderRoot() {
        for (String junk : new String[] {"", "garbage\n\u0000\n", "1 2 3 4", "1 2 3 4 relative rw"}) {
            MountTable t = MountTable.parse(junk);
            assertThat(t.mountPoints()).isEmpty();
            assertThat(t.isMountPoint("/")).isFalse();
            assertThat(t.mountPointOf("/boot")).isEqualTo("/");
        }
    }
}
