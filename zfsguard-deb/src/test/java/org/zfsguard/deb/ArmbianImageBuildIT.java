package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.zfsguard.deb.FakeKernelPackages.EDGE_K;
import static org.zfsguard.deb.FakeKernelPackages.EDGE_VERSION;
import static org.zfsguard.deb.FakeKernelPackages.NEW_K;
import static org.zfsguard.deb.FakeKernelPackages.NEW_VERSION;
import static org.zfsguard.deb.FakeKernelPackages.OLD_K;
import static org.zfsguard.deb.FakeKernelPackages.OLD_VERSION;
import static org.zfsguard.deb.FakeKernelPackages.ZFS_OLD;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Armbian image builds with the zfsguard extension (armbian/extensions/zfsguard.sh) and with
 * the customize-image.sh example, in a Debian 12 arm64 chroot under qemu-user with an image
 * build's conditions: the host's kernel in {@code uname -r}, a policy-rc.d that exits 101, no
 * systemd, userpatches/overlay bind-mounted read-only at /tmp/overlay. The build framework is
 * the STAND-IN src/test/armbian/build-standin.sh (hook discovery by the "__" marker and the
 * framework's hook order); Armbian's "zfs" extension is the STAND-IN
 * src/test/armbian/extensions/zfs.sh; kernel, dtb, headers and zfs-dkms are the FAKE packages
 * of {@link FakeKernelPackages}, whose zfs-dkms (OpenZFS 2.4.0, Linux-Maximum 6.18) "builds"
 * only for 6.12.58.
 */
class ArmbianImageBuildIT extends ChrootSuite {

    static final Path SOURCE = Path.of(System.getProperty("zfsguard.sourceRoot", ".."));
    static final Path EXTENSION = SOURCE.resolve("armbian/extensions/zfsguard.sh");
    static final Path CUSTOMIZE_IMAGE = SOURCE.resolve("armbian/userpatches/customize-image.sh");
    static final Path STANDIN = SOURCE.resolve("zfsguard-deb/src/test/armbian/build-standin.sh");
    static final Path STANDIN_EXTENSIONS = SOURCE.resolve("zfsguard-deb/src/test/armbian/extensions");
    static final String DROP_IN = "/etc/zfsguard/zfsguard.conf.d/50-image.conf";

    private Path work;
    private Path userpatches;
    private Path image;

    @BeforeEach
    void buildHost() throws IOException {
        work = Files.createTempDirectory(Path.of("/var/tmp"), "zfsguard-armbian build-");
        userpatches = work.resolve("userpatches");
        Files.createDirectories(userpatches.resolve("extensions"));
        Files.createDirectories(userpatches.resolve("overlay"));
        image = work.resolve("output/Armbian_rockpro64.img");
        Files.createDirectories(image.getParent());
    }

    @AfterEach
    void removeBuildHost() {
        Exec.host(Duration.ofMinutes(2), "rm", "-rf", "--one-file-system", work.toString()).orFail();
    }

    @Test
    void aCompatibleImageIsBuiltAndTheInstalledZfsguardReportsSafeInIt() {
        try (Chroot c = Chroot.bookworm("arm64")) {
            Map<String, String> env = build(c, "current", NEW_VERSION, NEW_K);
            env.put("ENABLE_EXTENSIONS", "zfs,zfsguard");
            env.put("ZFSGUARD_DEB", pkg.deb().toString());
            env.put("ZFSGUARD_MAX_TEMP", "72");
            env.put("ZFSGUARD_JOBS", "2");
            Exec.Result r = run(env);

            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(r.stderr()).as(r.describe()).contains("zfsguard: SAFE TO REBOOT").contains(NEW_K);
            assertThat(hooksCalled(r)).as("hook functions in the framework's order").containsExactly(
                    "extension_prepare_config__zfsguard", "extension_finish_config__build_zfs_kernel_module",
                    "post_install_kernel_debs__build_zfs_kernel_module", "post_family_tweaks__zfsguard",
                    "post_repo_customize_image__zfsguard");
            assertThat(image).as("the image is written").isRegularFile();
            Exec.Result check = c.run("zfsguard", "check");
            assertThat(check.exitCode()).as(check.describe()).isZero();
            assertThat(check.stdout()).as(check.describe()).startsWith("zfsguard: SAFE TO REBOOT").contains(NEW_K)
                    .doesNotContain(hostKernel());
            assertThat(Files.isRegularFile(c.hostPath(DROP_IN))).isTrue();
            assertThat(read(c.hostPath(DROP_IN))).contains("max_temp = 72\n").contains("jobs = 2\n");
            assertNoProcessLeftIn(c);
            System.out.println("ArmbianImageBuildIT passing build:\n" + r.stderr().strip());
        }
    }

    @Test
    void aKernelBeyondLinuxMaximumFailsTheBuildAndTheWarnVariableLetsItThrough() {
        try (Chroot c = Chroot.bookworm("arm64")) {
            Map<String, String> env = build(c, "edge", EDGE_VERSION, EDGE_K);
            env.put("ENABLE_EXTENSIONS", "zfs,zfsguard");
            copy(pkg.deb(), userpatches.resolve("overlay").resolve(pkg.deb().getFileName()));
            Exec.Result failed = run(env);

            assertThat(failed.exitCode()).as(failed.describe()).isEqualTo(43);
            assertThat(failed.stderr()).as(failed.describe()).contains("zfsguard: NOT SAFE TO REBOOT").contains(EDGE_K)
                    .contains("6.18").contains("next: ");
            assertThat(image).as("no image after a failed check").doesNotExist();
            assertNoProcessLeftIn(c);
            System.out.println("ArmbianImageBuildIT failing build:\n" + failed.stderr().strip());

            env.put("ZFSGUARD_IMAGE_CHECK", "warn");
            Exec.Result warned = run(env);
            assertThat(warned.exitCode()).as(warned.describe()).isZero();
            assertThat(warned.stderr()).as(warned.describe()).contains("zfsguard: NOT SAFE TO REBOOT")
                    .contains("ZFSGUARD_IMAGE_CHECK=warn");
            assertThat(image).as("the image is written with the warning").isRegularFile();
        }
    }

    @Test
    void aKernelWhoseZfsBuildFailedFailsTheBuild() {
        try (Chroot c = Chroot.bookworm("arm64")) {
            Map<String, String> env = build(c, "current", OLD_VERSION, OLD_K);
            env.put("ENABLE_EXTENSIONS", "zfs,zfsguard");
            env.put("ZFSGUARD_DEB", pkg.deb().toString());
            Exec.Result r = run(env);

            assertThat(r.exitCode()).as(r.describe()).isEqualTo(43);
            assertThat(r.stdout() + r.stderr()).as(r.describe()).contains("Bad return status for module build on kernel: " + OLD_K);
            assertThat(r.stderr()).as(r.describe()).contains("zfsguard: NOT SAFE TO REBOOT").contains(OLD_K);
            assertThat(image).doesNotExist();
        }
    }

    @Test
    void withoutZfsInTheImageTheExtensionInstallsZfsguardAndChecksNothing() {
        try (Chroot c = Chroot.bookworm("arm64")) {
            Map<String, String> env = build(c, "current", NEW_VERSION, NEW_K);
            env.put("ENABLE_EXTENSIONS", "zfsguard");
            env.put("ZFSGUARD_DEB", pkg.deb().toString());
            Exec.Result r = run(env);

            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(r.stderr()).as(r.describe()).contains("zfsguard: no ZFS in the image").doesNotContain("TO REBOOT");
            assertThat(c.runOk("dpkg-query", "-W", "-f=${Status}", "zfsguard").stdout()).isEqualTo("install ok installed");
            assertThat(c.hostPath(DROP_IN)).as("no settings, no drop-in").doesNotExist();
            assertThat(image).isRegularFile();
        }
    }

    @Test
    void theCustomizeImageExampleGivesTheSameResults() throws IOException {
        copy(CUSTOMIZE_IMAGE, userpatches.resolve("customize-image.sh"));
        copy(pkg.deb(), userpatches.resolve("overlay").resolve(pkg.deb().getFileName()));
        try (Chroot c = Chroot.bookworm("arm64")) {
            Map<String, String> env = build(c, "current", NEW_VERSION, NEW_K);
            env.put("ENABLE_EXTENSIONS", "zfs");
            Exec.Result r = run(env);

            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(r.stdout()).as(r.describe()).contains("zfsguard: SAFE TO REBOOT").contains(NEW_K);
            assertThat(image).isRegularFile();
            assertThat(c.runOk("zfsguard", "check").stdout()).startsWith("zfsguard: SAFE TO REBOOT");
            assertThat(read(c.hostPath(DROP_IN))).contains("max_temp = 75\n");
            assertThat(c.hostPath("/tmp/overlay")).as("the overlay is unmounted and removed").doesNotExist();
            assertNoProcessLeftIn(c);
        }
        Files.delete(image);
        try (Chroot c = Chroot.bookworm("arm64")) {
            Map<String, String> env = build(c, "edge", EDGE_VERSION, EDGE_K);
            env.put("ENABLE_EXTENSIONS", "zfs");
            Exec.Result failed = run(env);

            assertThat(failed.exitCode()).as(failed.describe()).isEqualTo(43);
            assertThat(failed.stdout()).as(failed.describe()).contains("zfsguard: NOT SAFE TO REBOOT").contains(EDGE_K);
            assertThat(failed.stderr()).as(failed.describe()).contains("customize-image.sh exited with error")
                    .contains("next: ");
            assertThat(image).doesNotExist();
            System.out.println("ArmbianImageBuildIT failing customize-image.sh:\n" + failed.stdout().strip()
                    + "\n" + failed.stderr().strip());

            String script = read(CUSTOMIZE_IMAGE);
            assertThat(script).contains("\nZFSGUARD_IMAGE_CHECK=fail\n");
            Files.writeString(userpatches.resolve("customize-image.sh"),
                    script.replace("\nZFSGUARD_IMAGE_CHECK=fail\n", "\nZFSGUARD_IMAGE_CHECK=warn\n"));
            Exec.Result warned = run(env);
            assertThat(warned.exitCode()).as(warned.describe()).isZero();
            assertThat(warned.stdout()).as(warned.describe()).contains("zfsguard: NOT SAFE TO REBOOT")
                    .contains("ZFSGUARD_IMAGE_CHECK=warn");
            assertThat(image).isRegularFile();
        }
    }

    // ---- the build --------------------------------------------------------------------------

    /** The build variables for a RockPro64 image of {@code branch}, with the FAKE packages of that kernel. */
    private Map<String, String> build(Chroot c, String branch, String version, String k) {
        Map<String, String> env = new HashMap<>(Exec.baseEnvironment());
        env.put("SDCARD", c.root().toString());
        env.put("USERPATCHES_PATH", userpatches.toString());
        env.put("EXTENSIONS_PATH", STANDIN_EXTENSIONS.toAbsolutePath() + ":" + EXTENSION.getParent().toAbsolutePath());
        env.put("IMAGE_OUTPUT", image.toString());
        env.put("BOARD", "rockpro64");
        env.put("BRANCH", branch);
        env.put("LINUXFAMILY", "rockchip64");
        env.put("ARCH", "arm64");
        env.put("RELEASE", "bookworm");
        env.put("BUILD_DESKTOP", "no");
        env.put("SHOW_EXTENSIONS", "yes");
        Path kernelImage = branch.equals("edge") ? FakeKernelPackages.edgeImage() : FakeKernelPackages.currentImage(version, k);
        Path headers = branch.equals("edge") ? FakeKernelPackages.edgeHeaders() : FakeKernelPackages.currentHeaders(version, k);
        env.put("KERNEL_IMAGE_DEB", kernelImage.toString());
        env.put("KERNEL_DTB_DEB", FakeKernelPackages.dtb(branch, version, k).toString());
        env.put("KERNEL_HEADERS_DEB", headers.toString());
        env.put("ZFS_DKMS_DEB", FakeKernelPackages.zfsDkmsThatBuilds(ZFS_OLD, NEW_K).toString());
        return env;
    }

    /** The hook functions the stand-in called, in order (it names them with SHOW_EXTENSIONS=yes). */
    private static List<String> hooksCalled(Exec.Result r) {
        return r.stderr().lines().filter(l -> l.startsWith("[extensions] Extension Method being called: "))
                .map(l -> l.substring(l.lastIndexOf("[ ") + 2, l.lastIndexOf(" ]"))).toList();
    }

    private Exec.Result run(Map<String, String> env) {
        List<String> cmd = new ArrayList<>(List.of("bash", STANDIN.toAbsolutePath().toString()));
        return Exec.run(cmd, env, Duration.ofMinutes(20), work.resolve("scratch"));
    }

    // ---- observations -----------------------------------------------------------------------

    /** No process may keep running with its root inside the image. */
    private static void assertNoProcessLeftIn(Chroot c) {
        List<String> inside = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            try {
                Path root = Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "root"));
                if (root.startsWith(c.root())) {
                    inside.add(p.pid() + " " + p.info().commandLine().orElse("?"));
                }
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                // Gone meanwhile, or not ours to look at: not inside the image.
            }
        });
        assertThat(inside).as("processes left running in the image chroot").isEmpty();
    }

    private static String hostKernel() {
        return read(Path.of("/proc/sys/kernel/osrelease")).strip();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copy(Path from, Path to) {
        try {
            Files.copy(from, to);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
