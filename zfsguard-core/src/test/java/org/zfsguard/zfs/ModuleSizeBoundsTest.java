package org.zfsguard.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import io.airlift.compress.zstd.ZstdOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;
import org.zfsguard.testing.ElfBytes;

/**
 * Class 3: every size a module file can claim is bounded while streaming, far below the
 * launcher's 128 MiB heap, and a valid large module still reads.
 */
class ModuleSizeBoundsTest {
    static final String MODINFO = "version=2.3.4-1\0license=CDDL\0srcversion=0123456789ABCDEF0123456\0depends=spl\0"
            + "name=zfs\0vermagic=6.12.58-current-rockchip64 SMP preempt mod_unload aarch64\0";

    @TempDir
    Path dir;

    @Test
    void aValid45MiBZstdModuleReadsWithModinfoFarFromTheSectionTable() throws Exception {
        Path file = dir.resolve("zfs.ko.zst");
        try (OutputStream out = new ZstdOutputStream(Files.newOutputStream(file))) {
            ElfBytes.writeLarge(out, 183, MODINFO, 45L << 20);
        }
        ModuleInfo info = ModuleFiles.read(file);
        assertThat(info.vermagicRelease()).isEqualTo("6.12.58-current-rockchip64");
        assertThat(info.version()).isEqualTo("2.3.4-1");
        assertThat(info.elfMachine()).isEqualTo(183);
    }

    @Test
    void aValid45MiBXzModuleReads() throws Exception {
        Path file = dir.resolve("zfs.ko.xz");
        try (OutputStream out = new XZCompressorOutputStream(Files.newOutputStream(file))) {
            ElfBytes.writeLarge(out, 62, MODINFO, 45L << 20);
        }
        assertThat(ModuleFiles.read(file).name()).isEqualTo("zfs");
    }

    @Test
    void aZstdBombIsRefusedAtTheCapWithAOneLineReason() throws Exception {
        // a valid module header whose section table claims to lie 10 GiB in: zeros up to there
        Path file = dir.resolve("zfs.ko.zst");
        try (OutputStream out = new ZstdOutputStream(Files.newOutputStream(file))) {
            ElfBytes.writeLarge(out, 183, MODINFO, ModuleFiles.MAX_MODULE_BYTES + (1 << 20));
        }
        assertThat(Files.size(file)).as("a bomb: far smaller than what it unpacks to").isLessThan(ModuleFiles.MAX_MODULE_BYTES / 8);
        assertThatThrownBy(() -> ModuleFiles.read(file)).isInstanceOf(ModuleReadException.class)
                .hasMessageContaining("256 MiB").hasMessageContaining("not a module")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aBombOfZerosIsRefusedAtTheFirstBytes() throws Exception {
        Path file = dir.resolve("zfs.ko.zst");
        try (OutputStream out = new ZstdOutputStream(Files.newOutputStream(file))) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 1024; i++) {
                out.write(zeros);
            }
        }
        assertThatThrownBy(() -> ModuleFiles.read(file)).isInstanceOf(ModuleReadException.class)
                .hasMessage("not an ELF file");
    }

    @Test
    void anXzStreamThatNeedsMoreDecoderMemoryThanAModuleIsRefused() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LZMA2Options big = new LZMA2Options();
        big.setDictSize(64 << 20);
        try (XZOutputStream out = new XZOutputStream(bytes, big)) {
            out.write(ElfBytes.build(true, false, 183, MODINFO));
        }
        assertThatThrownBy(() -> ModuleFiles.readCompressed("zfs.ko.xz", new ByteArrayInputStream(bytes.toByteArray())))
                .isInstanceOf(ModuleReadException.class).hasMessageContaining("MiB to decode: not a module");
    }

    @Test
    void anOversizedModinfoOrSectionTableIsRefusedBeforeItIsRead() {
        String huge = "vermagic=6.1.0-56-amd64\0" + "parm=x:".repeat(ElfModinfoReader.MAX_MODINFO_BYTES / 7 + 1) + "\0";
        assertThatThrownBy(() -> ElfModinfoReader.read(java.nio.ByteBuffer.wrap(ElfBytes.build(true, false, 62, huge))))
                .isInstanceOf(ModuleReadException.class).hasMessageContaining("more than 256 KiB");
        byte[] ko = ElfBytes.build(true, false, 62, MODINFO);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(ko).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putShort(0x3c, (short) 0);
        b.putLong(ko.length - 3 * 64 + 32, 1 << 20); // section 0's size: the real count when e_shnum is 0
        assertThatThrownBy(() -> ElfModinfoReader.read(b)).isInstanceOf(ModuleReadException.class)
                .hasMessageContaining("more than any module has");
    }

    @Test
    void aStreamWhoseModinfoWasPassedSaysSoInsteadOfGuessing() throws IOException {
        // .modinfo without vermagic= megabytes before the section table: not kept, and said so
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ElfBytes.writeLarge(bytes, 62, "name=zfs\0version=1\0", 4L << 20);
        assertThatThrownBy(() -> ModuleFiles.readCompressed("zfs.ko", new ByteArrayInputStream(bytes.toByteArray())))
                .isInstanceOf(ModuleReadException.class).hasMessageContaining("was passed while reading the stream once");
    }
}
