package org.zfsguard.deb;

import org.zfsguard.zfs.OpenZfsMeta;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.zfsguard.deb.DebFixtures.CONTROL;
import static org.zfsguard.deb.DebFixtures.KERNEL;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.zfsguard.kernel.KernelSeries;

class DebPackageTest {
    @TempDir
    Path dir;

    static DebPackage readBytes(byte[] deb, DebLimits limits) throws DebFormatException {
        return DebPackage.read(new ByteArrayInputStream(deb), "/var/cache/apt/archives/x.deb", limits, DebPackage.Scope.COMPLETE);
    }

    static void assertRefused(byte[] deb, DebLimits limits, String fragment) {
        assertThatThrownBy(() -> readBytes(deb, limits))
                .isInstanceOf(DebFormatException.class)
                .hasMessageStartingWith("/var/cache/apt/archives/x.deb: ")
                .hasMessageContaining(fragment);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "xz", "zstd", "none"})
    void armbianKernelImageAsDpkgDebBuildsIt(String compression) throws Exception {
        Path deb = DebFixtures.armbianKernel().build(dir, compression);
        DebPackage p = DebPackage.read(deb);
        ControlFields c = p.control();
        assertThat(c.packageName()).isEqualTo(DebFixtures.field(deb, "Package"));
        assertThat(c.version()).isEqualTo(DebFixtures.field(deb, "Version"));
        assertThat(c.architecture()).isEqualTo(DebFixtures.field(deb, "Architecture"));
        assertThat(c.source()).contains(DebFixtures.field(deb, "Source"));
        assertThat(c.armbianKernelVersion()).contains(DebFixtures.field(deb, "Armbian-Kernel-Version"));
        assertThat(c.all().get("Description")).isEqualTo(DebFixtures.field(deb, "Description").replace("\n ", "\n"));
        assertThat(c.packageName()).isEqualTo("linux-image-current-rockchip64");
        assertThat(c.armbianKernelVersion()).contains(KERNEL);
        assertThat(p.kernels()).containsExactly(new IncomingKernel(KERNEL, true, true, false));
        assertThat(p.singleImage()).contains(new IncomingKernel(KERNEL, true, true, false));
        assertThat(p.zfsSource()).isEmpty();
        assertThat(p.stoppedEarly()).as("stops at the first module").isTrue();
        DebPackage complete = DebPackage.read(deb, deb.toString(), DebLimits.DEFAULT, DebPackage.Scope.COMPLETE);
        assertThat(complete.kernels()).isEqualTo(p.kernels());
        assertThat(complete.control()).isEqualTo(p.control());
        assertThat(complete.stoppedEarly()).as("var/ comes after usr/src/ and is not read").isTrue();
        DebPackage controlOnly = DebPackage.read(deb, deb.toString(), DebLimits.DEFAULT, DebPackage.Scope.CONTROL);
        assertThat(controlOnly.control()).isEqualTo(p.control());
        assertThat(controlOnly.kernels()).isEmpty();
        assertThat(controlOnly.stoppedEarly()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "xz", "zstd", "none"})
    void zfsDkmsMetaIsRead(String compression) throws Exception {
        Path deb = DebFixtures.zfsDkms().build(dir, compression);
        DebPackage p = DebPackage.read(deb);
        assertThat(p.control().packageName()).isEqualTo(DebFixtures.field(deb, "Package"));
        assertThat(p.control().version()).isEqualTo(DebFixtures.field(deb, "Version"));
        assertThat(p.control().source()).contains(DebFixtures.field(deb, "Source"));
        assertThat(p.control().armbianKernelVersion()).isEmpty();
        assertThat(p.kernels()).isEmpty();
        assertThat(p.zfsSource()).contains(new OpenZfsMeta("2.4.0", "1", new KernelSeries(4, 18), new KernelSeries(6, 18)));
        assertThat(p.stoppedEarly()).as("nothing after META can change the answer").isTrue();
        DebPackage complete = DebPackage.read(deb, deb.toString(), DebLimits.DEFAULT, DebPackage.Scope.COMPLETE);
        assertThat(complete.zfsSource()).isEqualTo(p.zfsSource());
        assertThat(complete.stoppedEarly()).isFalse();
    }

    @Test
    void headersPackageGivesHeadersOnly() throws Exception {
        DebPackage p = DebPackage.read(DebFixtures.armbianHeaders().build(dir, "xz"));
        assertThat(p.kernels()).containsExactly(new IncomingKernel(KERNEL, false, false, true));
        assertThat(p.singleImage()).isEmpty();
    }

    @Test
    void mergedUsrModulesAndSeveralReleases() throws Exception {
        Path deb = new DebFixtures.Tree()
                .field("Package", "linux-image-6.12.48+deb13-arm64").field("Version", "6.12.48-1")
                .field("Architecture", "arm64").field("Maintainer", "T <t@example.org>").field("Description", "d")
                .file("boot/vmlinuz-6.12.48+deb13-arm64", "k")
                .file("boot/vmlinuz-rescue", "not a release")
                .file("usr/lib/modules/6.12.48+deb13-arm64/kernel/a.ko", "m")
                .file("usr/lib/modules/6.12.47+deb13-arm64/modules.dep", "")
                .build(dir, "xz");
        DebPackage p = DebPackage.read(deb, "k.deb", DebLimits.DEFAULT, DebPackage.Scope.COMPLETE);
        assertThat(p.kernels()).containsExactly(
                new IncomingKernel("6.12.47+deb13-arm64", false, true, false),
                new IncomingKernel("6.12.48+deb13-arm64", true, true, false));
    }

    @Test
    void firstAnswerLeavesTheBulkOfTheModulesUndecompressed() throws Exception {
        DebFixtures.Tree t = DebFixtures.armbianKernel();
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 40; i++) {
            byte[] noise = new byte[64 << 10];
            r.nextBytes(noise);
            t.file("lib/modules/" + KERNEL + "/kernel/drivers/m" + i + ".ko",
                    java.util.Base64.getEncoder().encodeToString(noise));
        }
        Path deb = t.build(dir, "xz");
        DebPackage quick = DebPackage.read(deb);
        DebPackage complete = DebPackage.read(deb, deb.toString(), DebLimits.DEFAULT, DebPackage.Scope.COMPLETE);
        assertThat(quick.kernels()).isEqualTo(complete.kernels())
                .containsExactly(new IncomingKernel(KERNEL, true, true, false));
        assertThat(quick.stoppedEarly()).isTrue();
    }

    @Test
    void bzip2DataMember() throws Exception {
        byte[] data = DebFixtures.tar(t -> {
            DebFixtures.addFile(t, "./boot/vmlinuz-" + KERNEL, "k".getBytes(StandardCharsets.US_ASCII));
            DebFixtures.addFile(t, "./usr/src/zfs-2.3.2/META", DebFixtures.META_2_4_0.replace("2.4.0", "2.3.2")
                    .replace("6.18", "6.14").getBytes(StandardCharsets.US_ASCII));
        });
        ByteArrayOutputStream bz = new ByteArrayOutputStream();
        try (BZip2CompressorOutputStream o = new BZip2CompressorOutputStream(bz)) {
            o.write(data);
        }
        DebPackage p = readBytes(DebFixtures.deb(DebFixtures.controlTar(CONTROL), "data.tar.bz2", bz.toByteArray()),
                DebLimits.DEFAULT);
        assertThat(p.kernels()).extracting(IncomingKernel::release).containsExactly(KERNEL);
        assertThat(p.zfsSource().orElseThrow().version()).isEqualTo("2.3.2");
        assertThat(p.zfsSource().orElseThrow().linuxMaximum()).isEqualTo(new KernelSeries(6, 14));
    }

    @Test
    void unsortedDataIsReadToTheEnd() throws Exception {
        byte[] data = DebFixtures.tar(t -> {
            DebFixtures.addFile(t, "./var/x", new byte[1]);
            DebFixtures.addFile(t, "./boot/vmlinuz-" + KERNEL, new byte[1]);
        });
        DebPackage p = readBytes(DebFixtures.deb(DebFixtures.controlTar(CONTROL), "data.tar", data), DebLimits.DEFAULT);
        assertThat(p.stoppedEarly()).isFalse();
        assertThat(p.kernels()).hasSize(1);
    }

    // ---- hostile and broken archives ----

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "xz", "zstd", "none"})
    void everyTruncationIsAFormatError(String compression) throws Exception {
        byte[] full = Files.readAllBytes(DebFixtures.zfsDkms().build(dir, compression));
        for (int len = 0; len < full.length; len += Math.max(1, full.length / 97)) {
            byte[] cut = Arrays.copyOf(full, len);
            assertThatThrownBy(() -> readBytes(cut, DebLimits.DEFAULT))
                    .as("cut at %d of %d", len, full.length)
                    .isInstanceOf(DebFormatException.class)
                    .hasMessageStartingWith("/var/cache/apt/archives/x.deb: ");
        }
    }

    @Test
    void truncatedFileOnDiskNamesTheFile() throws Exception {
        byte[] full = Files.readAllBytes(DebFixtures.armbianKernel().build(dir, "gzip"));
        Path cut = dir.resolve("cut.deb");
        DebFixtures.write(cut, Arrays.copyOf(full, full.length / 2));
        assertThatThrownBy(() -> DebPackage.read(cut)).isInstanceOf(DebFormatException.class)
                .hasMessageStartingWith(cut + ": ");
    }

    @Test
    void notADeb() throws Exception {
        assertRefused(new byte[0], DebLimits.DEFAULT, "");
        assertRefused("hello, world\n".getBytes(StandardCharsets.US_ASCII), DebLimits.DEFAULT, "");
        assertRefused(DebFixtures.ar(List.of(Map.entry("data.tar", new byte[10]))), DebLimits.DEFAULT,
                "not debian-binary: not a .deb");
        assertRefused(DebFixtures.ar(List.of(Map.entry("debian-binary", "3.0\n".getBytes(StandardCharsets.US_ASCII)))),
                DebLimits.DEFAULT, "not format 2.x");
        assertRefused(DebFixtures.ar(List.of(Map.entry("debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII)))),
                DebLimits.DEFAULT, "no control member (truncated?)");
        List<Map.Entry<String, byte[]>> noData = List.of(
                Map.entry("debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII)),
                Map.entry("control.tar", DebFixtures.controlTar(CONTROL)));
        assertRefused(DebFixtures.ar(noData), DebLimits.DEFAULT, "no data member (truncated?)");
    }

    @Test
    void memberNamesThatClimbOrSurprise() throws Exception {
        List<Map.Entry<String, byte[]>> m = new ArrayList<>();
        m.add(Map.entry("debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII)));
        m.add(Map.entry("../control.tar", DebFixtures.controlTar(CONTROL)));
        assertRefused(DebFixtures.ar(m), DebLimits.DEFAULT, "is not a plain name");
        m.set(1, Map.entry("evil.sh", new byte[4]));
        assertRefused(DebFixtures.ar(m), DebLimits.DEFAULT, "unexpected ar member 'evil.sh'");
        assertRefused(DebFixtures.deb(DebFixtures.controlTar(CONTROL), "data.tar.lz4", new byte[4]), DebLimits.DEFAULT,
                "unsupported compression of member 'data.tar.lz4'");
    }

    @Test
    void tarEntryThatClimbsOut() throws Exception {
        byte[] data = DebFixtures.tar(t -> DebFixtures.addFile(t, "./usr/src/../../etc/shadow", new byte[1]));
        assertRefused(DebFixtures.deb(DebFixtures.controlTar(CONTROL), "data.tar", data), DebLimits.DEFAULT,
                "climbs out with '..'");
    }

    @Test
    void hugeDeclaredSizeIsRefusedBeforeReading() throws Exception {
        // Only the header of a 1 TiB entry: nothing follows it.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        org.apache.commons.compress.archivers.tar.TarArchiveOutputStream t =
                new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(out);
        t.setBigNumberMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.BIGNUMBER_POSIX);
        TarArchiveEntry e = new TarArchiveEntry("./boot/vmlinuz-" + KERNEL);
        e.setSize(1L << 40);
        t.putArchiveEntry(e);
        t.flush();
        byte[] header = out.toByteArray();
        assertRefused(DebFixtures.deb(DebFixtures.controlTar(CONTROL), "data.tar", header), DebLimits.DEFAULT,
                "declares 1099511627776 bytes");
    }

    @Test
    void compressionBombStopsAtTheByteBudget() throws Exception {
        byte[] zeros = new byte[4 << 20];
        byte[] data = DebFixtures.tar(t -> DebFixtures.addFile(t, "./var/lib/blob", zeros));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GzipCompressorOutputStream o = new GzipCompressorOutputStream(gz)) {
            // concatenated copies, each declaring only what it holds: the budget, not the header, must stop it
            o.write(data);
        }
        DebLimits small = new DebLimits(8, 1 << 20, 1 << 16, 1000, 1 << 20, 1 << 16, 1 << 16);
        assertThat(gz.size()).isLessThan(64 << 10);
        assertRefused(DebFixtures.deb(DebFixtures.controlTar(CONTROL), "data.tar.gz", gz.toByteArray()), small,
                "more than the 1048576 bytes");
        byte[] bigControl = DebFixtures.tar(t -> {
            DebFixtures.addFile(t, "./md5sums", zeros);
            DebFixtures.addFile(t, "./control", CONTROL.getBytes(StandardCharsets.US_ASCII));
        });
        assertRefused(DebFixtures.deb(bigControl, "data.tar", DebFixtures.tar(x -> { })), small,
                "control.tar unpacks to more than 1048576 bytes");
    }

    @Test
    void paxRecordAskingForHugeMemoryIsRefusedAtItsHeader() throws Exception {
        long record = 200_000_000L;
        byte[] header = new byte[512];
        put(header, 0, "./PaxHeaders/x");
        put(header, 100, "0000644");
        put(header, 108, "0000000");
        put(header, 116, "0000000");
        put(header, 124, String.format("%011o", record));
        put(header, 136, "00000000000");
        header[156] = 'x';
        put(header, 257, "ustar");
        put(header, 263, "00");
        Arrays.fill(header, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, String.format("%06o", sum));
        header[154] = 0;
        byte[] prefix = DebFixtures.deb(DebFixtures.controlTar(CONTROL), "data.tar", header);
        // Patch the data member's declared length to cover the record, then supply it lazily:
        // nothing of it may be needed to refuse the archive.
        int at = prefix.length - 512 - 60 + 48;
        put(prefix, at, String.format("%-10d", 512 + record));
        java.io.InputStream lazy = new java.io.InputStream() {
            long left = record;

            @Override
            public int read() {
                return left-- > 0 ? 'a' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int k = (int) Math.min(len, left);
                Arrays.fill(b, off, off + k, (byte) 'a');
                left -= k;
                return k;
            }
        };
        java.io.InputStream in = new java.io.SequenceInputStream(new ByteArrayInputStream(prefix), lazy);
        assertThatThrownBy(() -> DebPackage.read(in, "/var/cache/apt/archives/x.deb", DebLimits.DEFAULT, DebPackage.Scope.COMPLETE))
                .isInstanceOf(DebFormatException.class)
                .hasMessageContaining("tar metadata record (type x) of 200000000 bytes, more than 1048576");
    }

    static void put(byte[] b, int off, String s) {
        byte[] x = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(x, 0, b, off, x.length);
    }

    @Test
    void tooManyEntries() throws Exception {
        byte[] data = DebFixtures.tar(t -> {
            for (int i = 0; i < 50; i++) {
                DebFixtures.addFile(t, "./usr/share/doc/f" + i, new byte[0]);
            }
        });
        DebLimits small = new DebLimits(8, 1 << 20, 1 << 16, 20, 1 << 30, 1 << 16, 1 << 16);
        assertRefused(DebFixtures.deb(DebFixtures.controlTar(CONTROL), "data.tar", data), small,
                "data.tar has more than 20 entries");
    }

    @Test
    void metaAsSymlinkOrTooLargeOrMalformed() throws Exception {
        byte[] link = DebFixtures.tar(t -> DebFixtures.addSymlink(t, "./usr/src/zfs-2.4.0/META", "/etc/shadow"));
        assertRefused(DebFixtures.deb(DebFixtures.controlTar(CONTROL), "data.tar", link), DebLimits.DEFAULT,
                "/usr/src/zfs-2.4.0/META is a link or special file");
        byte[] big = DebFixtures.tar(t -> DebFixtures.addFile(t, "./usr/src/zfs-2.4.0/META", new byte[70_000]));
        assertRefused(DebFixtures.deb(DebFixtures.controlTar(CONTROL), "data.tar", big), DebLimits.DEFAULT,
                "is larger than 65536 bytes");
        byte[] bad = DebFixtures.tar(t -> DebFixtures.addFile(t, "./usr/src/zfs-2.4.0/META",
                "Version: 2.4.0\nLinux-Minimum: 4.18\n".getBytes(StandardCharsets.US_ASCII)));
        assertRefused(DebFixtures.deb(DebFixtures.controlTar(CONTROL), "data.tar", bad), DebLimits.DEFAULT,
                "META: no Linux-Maximum line");
    }

    @Test
    void symlinkEntriesElsewhereAreNamesOnlyNeverFollowed() throws Exception {
        byte[] data = DebFixtures.tar(t -> {
            DebFixtures.addSymlink(t, "./boot/vmlinuz-" + KERNEL, "/etc/shadow");
            DebFixtures.addSymlink(t, "./lib/modules/" + KERNEL + "/build", "/usr/src/linux-headers-" + KERNEL);
        });
        DebPackage p = readBytes(DebFixtures.deb(DebFixtures.controlTar(CONTROL), "data.tar", data), DebLimits.DEFAULT);
        assertThat(p.kernels()).containsExactly(new IncomingKernel(KERNEL, true, false, true));
    }

    @Test
    void badControlFiles() throws Exception {
        byte[] data = DebFixtures.tar(x -> { });
        assertRefused(DebFixtures.deb(DebFixtures.controlTar("Package: Bad_Name\nVersion: 1\nArchitecture: all\n"),
                "data.tar", data), DebLimits.DEFAULT, "Package 'Bad_Name' is not a valid package name");
        assertRefused(DebFixtures.deb(DebFixtures.controlTar("Package: zfs-dkms\nArchitecture: all\n"),
                "data.tar", data), DebLimits.DEFAULT, "control file has no Version field");
        assertRefused(DebFixtures.deb(DebFixtures.controlTar(CONTROL + "Armbian-Kernel-Version: ../x\n"),
                "data.tar", data), DebLimits.DEFAULT, "Armbian-Kernel-Version '../x' is malformed");
        assertRefused(DebFixtures.deb(DebFixtures.tar(t -> DebFixtures.addFile(t, "./md5sums", new byte[0])),
                "data.tar", data), DebLimits.DEFAULT, "control.tar has no control file");
        assertRefused(DebFixtures.deb(DebFixtures.controlTar(" continuation\n"), "data.tar", data), DebLimits.DEFAULT,
                "starts with a continuation line");
    }

    @Test
    void randomCorruptionNeverEscapesAsAnotherException() throws Exception {
        byte[] full = Files.readAllBytes(DebFixtures.armbianKernel().build(dir, "zstd"));
        java.util.Random r = new java.util.Random(11);
        int refused = 0;
        for (int i = 0; i < 200; i++) {
            byte[] b = full.clone();
            for (int k = 0; k < 3; k++) {
                b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));
            }
            try {
                readBytes(b, DebLimits.DEFAULT);
            } catch (DebFormatException expected) {
                refused++;
            }
        }
        assertThat(refused).isPositive();
    }

    @Test
    void notARegularFile() throws Exception {
        Path link = dir.resolve("link.deb");
        Files.createSymbolicLink(link, DebFixtures.zfsDkms().build(dir, "gzip"));
        assertThatThrownBy(() -> DebPackage.read(link)).isInstanceOf(DebFormatException.class)
                .hasMessage(link + ": not a regular file");
        assertThatThrownBy(() -> DebPackage.read(dir.resolve("missing.deb"))).isInstanceOf(DebFormatException.class)
                .hasMessageEndingWith("missing.deb: not a regular file");
    }

    @Test
    void componentOrderMatchesDpkgDebTraversal() {
        assertThat(DebPackage.compare("usr/lib/x".split("/"), "usr/lib-foo".split("/"))).isNegative();
        assertThat(DebPackage.compare("usr/src".split("/"), "usr/src/zfs".split("/"))).isNegative();
        assertThat(DebPackage.compare("var".split("/"), "usr/src/zfs".split("/"))).isPositive();
    }

    static byte[] bytes(String s) throws IOException {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
