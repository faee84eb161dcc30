package org.zfsguard.initramfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.testing.FixtureSystem;
import org.zfsguard.testing.FixtureSystem.InitrdCompression;
import org.zfsguard.testing.ModuleFixtures.Arch;

class InitramfsReaderTest {
    private static final String K = "6.1.0-56-amd64";
    private static final KernelRelease REL = KernelRelease.parse(K);

    @TempDir
    Path dir;

    private Path write(byte[] bytes) throws Exception {
        Path p = dir.resolve("initrd.img-" + K);
        Files.write(p, bytes);
        return p;
    }

    @ParameterizedTest
    @EnumSource(InitrdCompression.class)
    void findsZfsInEveryCompressionWithAndWithoutEarlyCpio(InitrdCompression c) throws Exception {
        for (boolean early : new boolean[] {false, true}) {
            InitramfsScan s = InitramfsReader.scan(write(FixtureSystem.initrdBytes(Arch.X86_64, K, c, early, "2.1.11-1", K)), REL);
            assertThat(s.hasZfs()).as("early=%s", early).isTrue();
            assertThat(s.zfsPath()).isEqualTo("usr/lib/modules/" + K + "/updates/dkms/zfs.ko");
            assertThat(s.zfs().vermagicRelease()).isEqualTo(K);
            assertThat(s.zfs().version()).isEqualTo("2.1.11-1");
            String expected = (early ? "cpio+" : "") + (c == InitrdCompression.NONE ? "cpio" : c.name().toLowerCase() + "+cpio");
            assertThat(s.format()).isEqualTo(expected);
        }
    }

    @Test
    void reportsAnInitrdWithoutZfs() throws Exception {
        InitramfsScan s = InitramfsReader.scan(write(FixtureSystem.initrdBytes(Arch.X86_64, K, InitrdCompression.ZSTD, true, null, null)), REL);
        assertThat(s.hasZfs()).isFalse();
        assertThat(s.zfs()).isNull();
        assertThat(s.otherZfsPaths()).isEmpty();
    }

    @Test
    void zfsOfAnotherKernelDoesNotCount() throws Exception {
        byte[] other = FixtureSystem.initrdBytes(Arch.X86_64, "6.1.0-9-amd64", InitrdCompression.GZIP, false, "2.1.11-1", "6.1.0-9-amd64");
        InitramfsScan s = InitramfsReader.scan(write(other), REL);
        assertThat(s.hasZfs()).isFalse();
        assertThat(s.otherZfsPaths()).containsExactly("usr/lib/modules/6.1.0-9-amd64/updates/dkms/zfs.ko");
    }

    @Test
    void readsArmbianUInitrd(@TempDir Path root) throws Exception {
        String k = "6.12.58-current-rockchip64";
        FixtureSystem fx = new FixtureSystem(root);
        fx.uInitrd("/boot/uInitrd-" + k, FixtureSystem.initrdBytes(Arch.AARCH64, k, InitrdCompression.ZSTD, false, "2.3.4-1", k));
        InitramfsScan s = InitramfsReader.scan(fx.path("/boot/uInitrd-" + k), KernelRelease.parse(k));
        assertThat(s.format()).isEqualTo("uImage+zstd+cpio");
        assertThat(s.zfs().vermagicRelease()).isEqualTo(k);
        assertThat(s.zfs().architecture()).isEqualTo("aarch64");
    }

    @Test
    void emptyGarbageAndTruncatedImagesAreReadErrors() throws Exception {
        assertThatThrownBy(() -> InitramfsReader.scan(write(new byte[0]), REL)).hasMessage("empty file (0 bytes)");
        assertThatThrownBy(() -> InitramfsReader.scan(write("garbage garbage".getBytes()), REL))
                .isInstanceOf(InitramfsReadException.class).hasMessageContaining("unknown data");
        assertThatThrownBy(() -> InitramfsReader.scan(write(new byte[] {0x02, 0x21, 0x4c, 0x18, 1, 2, 3}), REL))
                .hasMessageContaining("lz4");
        assertThatThrownBy(() -> InitramfsReader.scan(write(new byte[] {0x27, 0x05, 0x19, 0x56, 0}), REL))
                .hasMessageContaining("truncated U-Boot header");
        assertThatThrownBy(() -> InitramfsReader.scan(write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3, 4}), REL))
                .isInstanceOf(InitramfsReadException.class);
        for (InitrdCompression c : new InitrdCompression[] {InitrdCompression.XZ, InitrdCompression.LZ4}) {
            truncationsAreHandled(FixtureSystem.initrdBytes(Arch.X86_64, K, c, true, "2.1.11-1", K));
        }
    }

    private void truncationsAreHandled(byte[] good) throws Exception {
        for (int len = 1; len < good.length; len += 97) {
            byte[] cut = Arrays.copyOf(good, len);
            // Truncation either hides zfs.ko or is a read error; it never throws anything else.
            try {
                InitramfsScan s = InitramfsReader.scan(write(cut), REL);
                assertThat(s.hasZfs() && s.zfs() != null && s.zfs().vermagicRelease().equals(K)).as("length %d", len).isFalse();
            } catch (InitramfsReadException e) {
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }

    @Test
    void onlyRegularFilesAreRead() throws Exception {
        Path target = write(FixtureSystem.initrdBytes(Arch.X86_64, K, InitrdCompression.NONE, false, "2.2.7-1", K));
        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, target);
        assertThatThrownBy(() -> InitramfsReader.scan(link, REL)).hasMessage("not a regular file");
    }

    @Test
    void streamsAreAcceptedDirectly() throws Exception {
        byte[] img = FixtureSystem.initrdBytes(Arch.X86_64, K, InitrdCompression.NONE, false, "2.2.7-1", K);
        assertThat(InitramfsReader.scan(new ByteArrayInputStream(img), REL).zfs().version()).isEqualTo("2.2.7-1");
    }
}
