package org.zfsguard.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.zfsguard.testing.ElfBytes;
import org.zfsguard.testing.ModuleFixtures;
import org.zfsguard.testing.ModuleFixtures.Arch;
import org.zfsguard.testing.ModuleFixtures.Compression;

class ElfModinfoReaderTest {
    private static final String MODINFO = "version=2.1.11-1\0license=CDDL\0srcversion=ABC\0name=zfs\0"
            + "vermagic=6.1.0-56-amd64 SMP preempt mod_unload modversions \0parm=zfs_arc_max:Max size\0";

    @ParameterizedTest(name = "64-bit={0} big-endian={1}")
    @CsvSource({"true, false, 183", "true, true, 183", "false, false, 40", "false, true, 40"})
    void readsEveryClassAndByteOrder(boolean is64, boolean bigEndian, int machine) throws Exception {
        ModuleInfo info = ElfModinfoReader.read(ByteBuffer.wrap(ElfBytes.build(is64, bigEndian, machine, MODINFO)));
        assertThat(info.vermagic()).isEqualTo("6.1.0-56-amd64 SMP preempt mod_unload modversions ");
        assertThat(info.vermagicRelease()).isEqualTo("6.1.0-56-amd64");
        assertThat(info.version()).isEqualTo("2.1.11-1");
        assertThat(info.srcversion()).isEqualTo("ABC");
        assertThat(info.name()).isEqualTo("zfs");
        assertThat(info.elfMachine()).isEqualTo(machine);
    }

    @Test
    void firstValueOfARepeatedKeyWins() throws Exception {
        ModuleInfo info = ElfModinfoReader.read(ByteBuffer.wrap(
                ElfBytes.build(true, false, 62, "alias=a\0alias=b\0\0\0version=1\0noequals\0=x\0")));
        assertThat(info.values()).containsEntry("alias", "a").containsEntry("version", "1").hasSize(2);
        assertThat(info.vermagic()).isNull();
        assertThat(info.vermagicRelease()).isNull();
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void readsModulesMadeByTheRealToolchain(Arch arch) throws Exception {
        byte[] ko = ModuleFixtures.module(arch, ModuleFixtures.zfsModinfo("zfs", "2.2.7-1", "6.12.58-current-rockchip64"));
        ModuleInfo info = ElfModinfoReader.read(ByteBuffer.wrap(ko));
        assertThat(info.vermagicRelease()).isEqualTo("6.12.58-current-rockchip64");
        assertThat(info.version()).isEqualTo("2.2.7-1");
        assertThat(info.elfMachine()).isEqualTo(arch.elfMachine);
        assertThat(info.architecture()).isEqualTo(arch == Arch.X86_64 ? "x86_64" : "aarch64");
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void readsCompressedModuleFiles(Compression c, @TempDir Path dir) throws Exception {
        byte[] ko = ModuleFixtures.module(Arch.AARCH64, ModuleFixtures.zfsModinfo("spl", "2.3.4-1", "6.8.0-45-generic"));
        Path file = dir.resolve("spl" + c.suffix);
        Files.write(file, c.apply(ko));
        assertThat(ModuleFiles.moduleName(file.getFileName().toString())).isEqualTo("spl");
        ModuleInfo info = ModuleFiles.read(file);
        assertThat(info.name()).isEqualTo("spl");
        assertThat(info.vermagicRelease()).isEqualTo("6.8.0-45-generic");
    }

    @Test
    void everyTruncationIsAReadErrorNotACrash() {
        byte[] ko = ModuleFixtures.module(Arch.X86_64, ModuleFixtures.zfsModinfo("zfs", "2.2.7-1", "6.1.0-56-amd64"));
        for (int len = 0; len < ko.length; len += Math.max(1, len / 7)) {
            byte[] cut = Arrays.copyOf(ko, len);
            assertThatThrownBy(() -> ElfModinfoReader.read(ByteBuffer.wrap(cut))).as("length %d", len)
                    .isInstanceOf(ModuleReadException.class);
        }
    }

    @Test
    void hostileHeadersAreReportedWithAReason() {
        byte[] good = ElfBytes.build(true, false, 183, MODINFO);
        assertThatThrownBy(() -> ElfModinfoReader.read(ByteBuffer.wrap("not an elf file at all".getBytes())))
                .hasMessage("not an ELF file");
        byte[] badClass = good.clone();
        badClass[4] = 9;
        assertThatThrownBy(() -> ElfModinfoReader.read(ByteBuffer.wrap(badClass))).hasMessageContaining("ELF class 9");
        byte[] badOrder = good.clone();
        badOrder[5] = 0;
        assertThatThrownBy(() -> ElfModinfoReader.read(ByteBuffer.wrap(badOrder))).hasMessageContaining("byte order");
        byte[] exec = good.clone();
        exec[16] = 2;
        assertThatThrownBy(() -> ElfModinfoReader.read(ByteBuffer.wrap(exec))).hasMessageContaining("not a relocatable");
        byte[] hugeShoff = good.clone();
        ByteBuffer.wrap(hugeShoff).order(ByteOrder.LITTLE_ENDIAN).putLong(0x28, -1L);
        assertThatThrownBy(() -> ElfModinfoReader.read(ByteBuffer.wrap(hugeShoff))).isInstanceOf(ModuleReadException.class);
        byte[] hugeSection = good.clone();
        int shoff = (int) ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(0x28);
        ByteBuffer.wrap(hugeSection).order(ByteOrder.LITTLE_ENDIAN).putLong(shoff + 64 + 32, Long.MAX_VALUE - 3);
        assertThatThrownBy(() -> ElfModinfoReader.read(ByteBuffer.wrap(hugeSection))).hasMessageContaining(".modinfo section beyond");
        byte[] badNames = good.clone();
        ByteBuffer.wrap(badNames).order(ByteOrder.LITTLE_ENDIAN).putShort(0x3e, (short) 7);
        assertThatThrownBy(() -> ElfModinfoReader.read(ByteBuffer.wrap(badNames))).hasMessageContaining("out of range");
    }

    @Test
    void objectWithoutModinfoIsNotAModule() {
        byte[] good = ElfBytes.build(true, true, 183, MODINFO);
        int namesAt = indexOf(good, ".modinfo".getBytes());
        good[namesAt + 1] = 'X';
        assertThatThrownBy(() -> ElfModinfoReader.read(ByteBuffer.wrap(good))).hasMessageContaining("no .modinfo section");
    }

    @Test
    void compressedFileThatIsNotCompressedIsAReadError(@TempDir Path dir) throws Exception {
        for (Compression c : new Compression[] {Compression.XZ, Compression.ZSTD, Compression.GZIP}) {
            Path file = dir.resolve("zfs" + c.suffix);
            Files.writeString(file, "this is not compressed at all");
            assertThatThrownBy(() -> ModuleFiles.read(file)).as(c.name())
                    .isInstanceOf(ModuleReadException.class).hasMessageContaining("not a valid");
        }
        Path empty = dir.resolve("zfs.ko");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> ModuleFiles.read(empty)).hasMessageContaining("too short");
        Path link = dir.resolve("link.ko");
        Files.createSymbolicLink(link, empty);
        assertThatThrownBy(() -> ModuleFiles.read(link)).hasMessageContaining("not a regular file");
    }

    @Test
    void moduleNamesComeFromKnownSuffixesOnly() {
        assertThat(ModuleFiles.moduleName("zfs.ko")).isEqualTo("zfs");
        assertThat(ModuleFiles.moduleName("zfs.ko.zst")).isEqualTo("zfs");
        assertThat(ModuleFiles.moduleName("zfs.ko.bz2")).isNull();
        assertThat(ModuleFiles.moduleName(".ko")).isNull();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = hay.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
