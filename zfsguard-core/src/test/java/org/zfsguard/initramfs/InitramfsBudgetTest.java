package org.zfsguard.initramfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;

import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.testing.FixtureSystem;
import org.zfsguard.testing.FixtureSystem.InitrdCompression;
import org.zfsguard.testing.ModuleFixtures.Arch;

/** Class 3: an initramfs is read up to a byte budget, whatever it unpacks to. */
class InitramfsBudgetTest {
    static final String K = "6.1.0-56-amd64";
    static final KernelRelease REL = KernelRelease.parse(K);
    static final long BUDGET = 8L << 20;

    static byte[] gzip(byte[]... parts) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GzipCompressorOutputStream(bytes)) {
            for (byte[] p : parts) {
                out.write(p);
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void zeroPaddingThatUnpacksPastTheBudgetStopsThere() throws Exception {
        byte[] bomb = gzip(new byte[(int) (4 * BUDGET)]);
        assertThat(bomb.length).isLessThan((int) (BUDGET / 64));
        assertThatThrownBy(() -> InitramfsReader.scan(new ByteArrayInputStream(bomb), REL, BUDGET))
                .isInstanceOf(InitramfsReadException.class)
                .hasMessage("unpacks to more than 8 MiB before zfs.ko of " + K + " was found: not read further");
    }

    @Test
    void aHugeCpioEntryBeforeZfsStopsAtTheBudget() throws Exception {
        ByteArrayOutputStream cpio = new ByteArrayOutputStream();
        try (CpioArchiveOutputStream c = new CpioArchiveOutputStream(cpio)) {
            CpioArchiveEntry e = new CpioArchiveEntry("usr/lib/firmware/blob");
            e.setMode(CpioArchiveEntry.C_ISREG | 0644);
            e.setSize(2 * BUDGET);
            c.putArchiveEntry(e);
            c.write(new byte[(int) (2 * BUDGET)]);
            c.closeArchiveEntry();
        }
        byte[] image = gzip(cpio.toByteArray());
        assertThatThrownBy(() -> InitramfsReader.scan(new ByteArrayInputStream(image), REL, BUDGET))
                .isInstanceOf(InitramfsReadException.class).hasMessageContaining("not read further");
    }

    @Test
    void anImageWithinTheBudgetIsReadAsBefore() throws Exception {
        byte[] good = FixtureSystem.initrdBytes(Arch.X86_64, K, InitrdCompression.GZIP, true, "2.1.11-1", K);
        InitramfsScan s = InitramfsReader.scan(new ByteArrayInputStream(good), REL, BUDGET);
        assertThat(s.zfs().vermagicRelease()).isEqualTo(K);
    }
}
