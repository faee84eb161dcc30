package org.zfsguard.pin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.zfsguard.deb.ControlFields;
import org.zfsguard.zfs.OpenZfsMeta;

/** The version mapping and the pin on real Packages index excerpts (see each fixture's header). */
class CompatibilityPinTest {
    /** bookworm's zfs-dkms 2.1.11 as Debian ships it. */
    static final OpenZfsMeta ZFS_2_1_11 = meta("2.1.11", "3.10", "6.2");
    static final OpenZfsMeta ZFS_2_3_2 = meta("2.3.2", "4.18", "6.14");

    static OpenZfsMeta meta(String v, String min, String max) {
        return OpenZfsMeta.parse("Meta: 1\nName: zfs\nVersion: " + v + "\nRelease: 1\nLinux-Minimum: " + min
                + "\nLinux-Maximum: " + max + "\n");
    }

    static KernelPackageIndex index(String... fixtures) throws IOException {
        List<ControlFields> all = new ArrayList<>();
        for (String f : fixtures) {
            try (InputStream in = CompatibilityPinTest.class.getResourceAsStream("/pin/" + f)) {
                all.addAll(AptLists.parse(in));
            }
        }
        return new KernelPackageIndex(all);
    }

    static String release(KernelPackageIndex index, String pkg, String version) {
        return index.versionsOf(pkg).stream().filter(c -> c.version().equals(version)).findFirst()
                .flatMap(index::releaseOf).map(Object::toString).orElse("none");
    }

    @Test
    void debianMetapackagesMapThroughDependsAndVersionedNamesCarryTheRelease() throws IOException {
        KernelPackageIndex idx = index("debian-bookworm.Packages", "debian-bookworm-backports.Packages");
        assertThat(release(idx, "linux-image-amd64", "6.12.95-1~bpo12+1")).isEqualTo("6.12.95+deb12-amd64");
        assertThat(release(idx, "linux-headers-amd64", "6.12.95-1~bpo12+1")).isEqualTo("6.12.95+deb12-amd64");
        assertThat(release(idx, "linux-image-amd64", "6.1.192-3")).isEqualTo("6.1.0-57-amd64");
        // the versioned package of this one is not in the excerpt: the Depends name still tells
        assertThat(release(idx, "linux-image-amd64", "6.1.176-1")).isEqualTo("6.1.0-50-amd64");
        assertThat(release(idx, "linux-image-6.12.95+deb12-amd64", "6.12.95-1~bpo12+1")).isEqualTo("6.12.95+deb12-amd64");
        assertThat(idx.versionsOf("zfs-dkms")).extracting(ControlFields::version).containsExactly("2.3.2-2~bpo12+2");
    }

    @Test
    void ubuntuLinuxGenericMapsThroughTwoMetapackages() throws IOException {
        KernelPackageIndex idx = index("ubuntu-noble-updates.Packages");
        assertThat(release(idx, "linux-generic", "6.8.0-151.151")).isEqualTo("6.8.0-151-generic");
        assertThat(release(idx, "linux-image-generic", "6.8.0-151.151")).isEqualTo("6.8.0-151-generic");
        assertThat(release(idx, "linux-headers-generic", "6.8.0-151.151")).isEqualTo("6.8.0-151-generic");
        assertThat(release(idx, "linux-modules-6.8.0-151-generic", "6.8.0-151.151")).isEqualTo("6.8.0-151-generic");
    }

    @Test
    void armbianConstantNamesMapThroughTheirFieldsAndTheDtbThroughItsImage() throws IOException {
        KernelPackageIndex idx = index("armbian-bookworm-rockchip64.Packages");
        assertThat(release(idx, "linux-image-current-rockchip64", "25.8.1")).isEqualTo("6.12.41");
        assertThat(release(idx, "linux-image-current-rockchip64", "26.2.1")).isEqualTo("6.18.9");
        assertThat(release(idx, "linux-dtb-current-rockchip64", "26.2.1")).isEqualTo("6.18.9");
        assertThat(release(idx, "linux-headers-current-rockchip64", "26.2.1")).isEqualTo("6.18.9");
    }

    @Test
    void bookwormWithBackportsHoldsThe612KernelAndItsMetapackagesOnly() throws IOException {
        KernelPackageIndex idx = index("debian-bookworm.Packages", "debian-bookworm-backports.Packages");
        PinPlan plan = CompatibilityPin.plan(idx, ZFS_2_1_11, Optional.of("2.3.2-2~bpo12+2"), Optional.empty(), Set.of());
        assertThat(plan.lifted()).isEmpty();
        assertThat(plan.holds()).extracting(Hold::packageName).containsExactlyInAnyOrder(
                "linux-headers-6.12.95+deb12-amd64", "linux-headers-amd64", "linux-image-6.12.95+deb12-amd64",
                "linux-image-amd64");
        assertThat(plan.holds()).allSatisfy(h -> assertThat(h.version()).isEqualTo("6.12.95-1~bpo12+1"));
        assertThat(plan.preferences()).contains("Explanation: linux-image-amd64 6.12.95-1~bpo12+1 pulls in Linux"
                + " 6.12.95+deb12-amd64, outside OpenZFS 2.1.11 (Linux 3.10 to 6.2)\n"
                + "Package: linux-image-amd64\nPin: version 6.12.95-1~bpo12+1\nPin-Priority: -1\n");
    }

    @Test
    void aNewerZfsInTheListsWithUnknownRangeLiftsThePin() throws IOException {
        KernelPackageIndex idx = index("debian-bookworm.Packages", "debian-bookworm-backports.Packages");
        PinPlan plan = CompatibilityPin.plan(idx, ZFS_2_1_11, Optional.of("2.1.11-1"), Optional.empty(), Set.of());
        assertThat(plan.holds()).isEmpty();
        assertThat(plan.lifted()).hasValueSatisfying(s -> assertThat(s).startsWith("zfs-dkms 2.3.2-2~bpo12+2 is in"));
        assertThat(plan.preferences()).doesNotContain("Pin-Priority").contains("# No kernel is held: zfs-dkms 2.3.2");
    }

    @Test
    void aNewerZfsWhoseMetaIsKnownDecidesPerKernel() throws IOException {
        KernelPackageIndex idx = index("debian-bookworm.Packages", "debian-bookworm-backports.Packages");
        PinPlan lifted = CompatibilityPin.plan(idx, ZFS_2_1_11, Optional.of("2.1.11-1"), Optional.of(ZFS_2_3_2), Set.of());
        assertThat(lifted.holds()).isEmpty();
        assertThat(lifted.candidate()).hasValueSatisfying(c -> assertThat(c.describe())
                .isEqualTo("zfs-dkms 2.3.2-2~bpo12+2 (OpenZFS 2.3.2, Linux 4.18 to 6.14)"));
        assertThat(lifted.preferences()).contains("# zfs-dkms 2.3.2-2~bpo12+2 (OpenZFS 2.3.2, Linux 4.18 to 6.14) is in"
                + " apt's lists: kernels it supports are not held.");
        PinPlan tooOld = CompatibilityPin.plan(idx, ZFS_2_1_11, Optional.of("2.1.11-1"),
                Optional.of(meta("2.2.0", "3.10", "6.5")), Set.of());
        assertThat(tooOld.holds()).hasSize(4);
        assertThat(tooOld.holds().get(0).reason()).endsWith("and OpenZFS 2.2.0 (Linux 3.10 to 6.5)");
    }

    @Test
    void installedVersionsAreNeverPinned() throws IOException {
        KernelPackageIndex idx = index("debian-bookworm-backports.Packages");
        PinPlan plan = CompatibilityPin.plan(idx, ZFS_2_1_11, Optional.empty(), Optional.empty(),
                Set.of("linux-image-amd64=6.12.95-1~bpo12+1"));
        assertThat(plan.holds()).extracting(Hold::packageName).doesNotContain("linux-image-amd64").hasSize(3);
    }

    @Test
    void ubuntuNobleKernelOutsideAnOlderOpenZfsIsHeldWithItsMetapackages() throws IOException {
        PinPlan plan = CompatibilityPin.plan(index("ubuntu-noble-updates.Packages"), meta("2.2.2", "3.10", "6.6"),
                Optional.empty(), Optional.empty(), Set.of());
        assertThat(plan.holds()).extracting(Hold::packageName).containsExactlyInAnyOrder("linux-generic",
                "linux-image-generic", "linux-headers-generic", "linux-image-6.8.0-151-generic",
                "linux-modules-6.8.0-151-generic", "linux-headers-6.8.0-151-generic");
        assertThat(CompatibilityPin.plan(index("ubuntu-noble-updates.Packages"), meta("2.2.6", "4.18", "6.10"),
                Optional.empty(), Optional.empty(), Set.of()).holds()).isEmpty();
    }

    @Test
    void armbianHoldsOnlyTheBuildOutsideTheRange() throws IOException {
        PinPlan plan = CompatibilityPin.plan(index("armbian-bookworm-rockchip64.Packages"), ZFS_2_3_2,
                Optional.of("2.3.2-1"), Optional.empty(), Set.of());
        assertThat(plan.holds()).extracting(h -> h.packageName() + "=" + h.version()).containsExactlyInAnyOrder(
                "linux-image-current-rockchip64=26.2.1", "linux-dtb-current-rockchip64=26.2.1",
                "linux-headers-current-rockchip64=26.2.1");
        assertThat(plan.holds()).allSatisfy(h -> assertThat(h.kernel().text()).isEqualTo("6.18.9"));
    }

    @Test
    void dependsAlternativesKeepOnlyExactConstraints() {
        assertThat(KernelPackageIndex.dependencies("linux-image-6.8.0-151-generic, linux-firmware | foo:any (>= 1),"
                + " linux-headers-generic (= 6.8.0-151.151)")).containsExactly(
                new KernelPackageIndex.Dependency("linux-image-6.8.0-151-generic", Optional.empty()),
                new KernelPackageIndex.Dependency("linux-firmware", Optional.empty()),
                new KernelPackageIndex.Dependency("foo", Optional.empty()),
                new KernelPackageIndex.Dependency("linux-headers-generic", Optional.of("6.8.0-151.151")));
    }

    @Test
    void upstreamVersionIgnoresEpochAndDebianRevision() {
        assertThat(CompatibilityPin.upstream("1:2.3.2-2~bpo12+2")).isEqualTo("2.3.2");
        assertThat(CompatibilityPin.upstream("2.1.11")).isEqualTo("2.1.11");
    }

    @Test
    void malformedStanzasAndOtherPackagesAreSkipped() throws IOException {
        String text = "Package: bash\nVersion: 5.2\nArchitecture: amd64\n\nPackage: linux-image-amd64\nVersion: bad version\n"
                + "Architecture: amd64\n\nPackage: linux-image-6.1.0-1-amd64\nVersion: 6.1.1-1\nArchitecture: amd64\n";
        assertThat(AptLists.parse(new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                .extracting(ControlFields::packageName).containsExactly("linux-image-6.1.0-1-amd64");
    }
}
