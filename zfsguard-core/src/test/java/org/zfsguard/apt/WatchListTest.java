package org.zfsguard.apt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.zfsguard.system.SystemRoot;

class WatchListTest {
    /** The file the package ships; the shell filter reads the same one. */
    static final Path SHIPPED = Path.of("..", "debian-resources", "watch-list");

    static WatchList shipped() throws IOException, WatchListException {
        return WatchList.parse(Files.readString(SHIPPED), SHIPPED.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "linux-image-current-rockchip64", "linux-image-6.1.0-56-arm64", "linux-image-unsigned-6.8.0-31-generic",
        "linux-image-amd64", "linux-image-generic", "linux-headers-current-rockchip64", "linux-headers-6.1.0-56-arm64",
        "linux-modules-6.8.0-31-generic", "linux-modules-extra-6.8.0-31-generic", "linux-dtb-current-rockchip64",
        "linux-kbuild-6.1", "zfs-dkms", "spl-dkms", "zfsutils-linux", "zfs-initramfs", "zfs-dracut", "dkms",
        "initramfs-tools", "initramfs-tools-core", "dracut", "dracut-core"})
    void shippedListWatchesKernelAndZfsPackages(String name) throws Exception {
        assertThat(shipped().matches(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "sysstat-standin", "linux-libc-dev", "linux-firmware", "linux-base", "armbian-firmware", "zfs-zed-extra",
        "libzfs4linux", "dkms-helper", "initramfs-tools-bin", "bash", "linux-image"})
    void shippedListIgnoresEverythingElse(String name) throws Exception {
        assertThat(shipped().matches(name)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "Linux-image-x", "-dkms", "zfs dkms", "zfs/dkms", "zfs-dkms:arm64", "../zfs-dkms"})
    void invalidPackageNamesNeverMatch(String name) throws Exception {
        WatchList all = WatchList.parse("*\n", "t");
        assertThat(all.matches(name)).isFalse();
    }

    @Test
    void globsFollowShellCaseSemantics() {
        assertThat(WatchList.globMatches("linux-image-*", "linux-image-")).isTrue();
        assertThat(WatchList.globMatches("linux-image-*", "linux-imagex")).isFalse();
        assertThat(WatchList.globMatches("zfs-dkms", "zfs-dkms")).isTrue();
        assertThat(WatchList.globMatches("zfs-dkms", "zfs-dkms2")).isFalse();
        assertThat(WatchList.globMatches("z?s-*", "zfs-dkms")).isTrue();
        assertThat(WatchList.globMatches("*-dkms", "spl-dkms")).isTrue();
        assertThat(WatchList.globMatches("*a*b*c", "xaxxbxxbc")).isTrue();
        assertThat(WatchList.globMatches("*a*b*c", "xaxxbxxcb")).isFalse();
        assertThat(WatchList.globMatches("**", "")).isTrue();
    }

    @Test
    void parseSkipsCommentsAndBlankLinesAndTrims() throws Exception {
        WatchList w = WatchList.parse("# comment\n\n  zfs-dkms  \r\nlinux-image-*\n", "t");
        assertThat(w.globs()).containsExactly("zfs-dkms", "linux-image-*");
    }

    @ParameterizedTest
    @ValueSource(strings = {"linux-[a-z]*", "Zfs", "zfs dkms", "zfs\\-dkms", "$(reboot)", "zfs-dkms # comment"})
    void rejectsPatternsTheShellWouldReadDifferently(String pattern) {
        assertThatThrownBy(() -> WatchList.parse("# x\n" + pattern + "\n", "wl"))
                .isInstanceOf(WatchListException.class)
                .hasMessageStartingWith("wl:2: '")
                .hasMessageContaining("not a package-name glob");
    }

    @Test
    void rejectsAnEmptyList() {
        assertThatThrownBy(() -> WatchList.parse("# only comments\n", "wl"))
                .isInstanceOf(WatchListException.class).hasMessage("wl: no patterns");
    }

    @Test
    void loadsThroughTheSystemRoot(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("usr/share/zfsguard/watch-list");
        Files.createDirectories(file.getParent());
        Files.copy(SHIPPED, file);
        WatchList w = WatchList.load(SystemRoot.at(dir));
        assertThat(w.globs()).isEqualTo(shipped().globs());
    }

    @Test
    void missingFileIsAClearError(@TempDir Path dir) {
        assertThatThrownBy(() -> WatchList.load(SystemRoot.at(dir)))
                .isInstanceOf(WatchListException.class)
                .hasMessageContaining("/usr/share/zfsguard/watch-list: missing");
    }

    @Test
    void symlinkedFileIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("usr/share/zfsguard/watch-list");
        Files.createDirectories(file.getParent());
        Files.writeString(dir.resolve("elsewhere"), "zfs-dkms\n");
        Files.createSymbolicLink(file, Path.of("../../../elsewhere"));
        assertThatThrownBy(() -> WatchList.load(SystemRoot.at(dir)))
                .isInstanceOf(WatchListException.class)
                .hasMessageContaining("not a regular file");
    }
}
