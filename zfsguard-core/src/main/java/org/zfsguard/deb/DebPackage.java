package org.zfsguard.deb;

import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.zfs.OpenZfsMeta;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.zfsguard.io.DecoderUnavailableException;
import org.zfsguard.io.ReadThroughFilter;
import org.zfsguard.io.ZstdDecoder;
import org.zfsguard.system.SystemRoot;


/**
 * What a .deb will do to kernels and ZFS, read without unpacking it: its
 * control fields, the kernel releases it ships files for
 * ({@code /boot/vmlinuz-<k>}, {@code /lib/modules/<k>/}, {@code /usr/lib/modules/<k>/},
 * {@code /usr/src/linux-headers-<k>}) and the META of an OpenZFS source tree
 * ({@code /usr/src/zfs-<v>/META}).
 *
 * <p>Streaming and bounded ({@link DebLimits}); nothing is written to disk and
 * no link is followed. dpkg-deb writes data.tar in sorted order, so reading
 * stops after {@code ./usr/src/}, the last place with an answer, when
 * the entries seen so far were sorted.
 *
 * @param stoppedEarly true when the tail of data.tar was not read because nothing there could matter
 */
public record DebPackage(
        ControlFields control,
        List<IncomingKernel> kernels,
        Optional<OpenZfsMeta> zfsSource,
        boolean stoppedEarly) {

    public DebPackage {
        kernels = List.copyOf(kernels);
    }

    /** How much of data.tar to read. */
    public enum Scope {
        /**
         * The control fields only; data.tar is not opened. Enough when the control
         * already names the kernel (Armbian-Kernel-Version, or a versioned Debian
         * package name): skipping a kernel image inside data.tar means decompressing it.
         */
        CONTROL,
        /**
         * Stop at the first answer: in a dpkg-deb-sorted archive, once a kernel's
         * image and its first module are seen (the rest of its modules, the bulk of
         * the package, is never decompressed), at the first entry of a headers tree,
         * or after an OpenZFS META. A second kernel release in the same package,
         * which no distribution ships, would then go unseen.
         */
        FIRST_ANSWER,
        /** Every entry (but still stops after {@code ./usr/src/} in a sorted archive). */
        COMPLETE
    }

    /** Reads the .deb at {@code file} (a host path the caller resolved within the system root). */
    public static DebPackage read(Path file) throws DebFormatException {
        return read(file, file.toString(), DebLimits.DEFAULT, Scope.FIRST_ANSWER);
    }

    /** {@code name} is how messages call the file (its path on the target system). */
    public static DebPackage read(Path file, String name, DebLimits limits, Scope scope) throws DebFormatException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new DebFormatException(name, "not a regular file");
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS), 65536)) {
            return read(in, name, limits, scope);
        } catch (IOException e) {
            throw new DebFormatException(name, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Reads a .deb from {@code in} (not closed). */
    public static DebPackage read(InputStream in, String name, DebLimits limits, Scope scope) throws DebFormatException {
        try {
            return new Reader(name, limits, scope).read(in);
        } catch (LimitExceeded | TarHeaderGuard.LimitException e) {
            throw new DebFormatException(name, e.getMessage());
        } catch (IOException e) {
            throw new DebFormatException(name, "damaged or truncated archive: " + e.getMessage(), e);
        } catch (DecoderUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            // The decoders meet hostile bytes here; whatever they throw is a broken archive, not a bug of ours.
            throw new DebFormatException(name, "malformed archive (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")", e);
        }
    }

    /** The kernel a linux-image package installs, when it installs exactly one. */
    public Optional<IncomingKernel> singleImage() {
        List<IncomingKernel> images = kernels.stream().filter(IncomingKernel::image).toList();
        return images.size() == 1 ? Optional.of(images.get(0)) : Optional.empty();
    }

    private static final class Reader {
        private final String name;
        private final DebLimits limits;
        private final Scope scope;

        Reader(String name, DebLimits limits, Scope scope) {
            this.name = name;
            this.limits = limits;
            this.scope = scope;
        }

        DebPackage read(InputStream in) throws IOException, DebFormatException {
            ArArchiveInputStream ar = new ArArchiveInputStream(in);
            ControlFields control = null;
            int members = 0;
            ArArchiveEntry e;
            while ((e = ar.getNextEntry()) != null) {
                String member = e.getName();
                if (++members > limits.maxArMembers()) {
                    throw new DebFormatException(name, "more than " + limits.maxArMembers() + " ar members");
                }
                if (member.isEmpty() || member.contains("/") || member.contains("..")) {
                    throw new DebFormatException(name, "ar member name '" + SystemRoot.printable(member) + "' is not a plain name");
                }
                if (members == 1) {
                    if (!member.equals("debian-binary")) {
                        throw new DebFormatException(name, "first ar member is '" + SystemRoot.printable(member)
                                + "', not debian-binary: not a .deb");
                    }
                    byte[] v = ar.readNBytes(16);
                    if (v.length < 4 || v[0] != '2' || v[1] != '.') {
                        throw new DebFormatException(name, "debian-binary is not format 2.x");
                    }
                } else if (member.startsWith("control.tar")) {
                    if (control != null) {
                        throw new DebFormatException(name, "two control members");
                    }
                    NoClose raw = new NoClose(ar);
                    control = readControl(decompress(member, raw));
                    complete(member, raw, e);
                } else if (member.startsWith("data.tar")) {
                    if (control == null) {
                        throw new DebFormatException(name, "data member before the control member");
                    }
                    if (scope == Scope.CONTROL) {
                        return new DebPackage(control, List.of(), Optional.empty(), true);
                    }
                    NoClose raw = new NoClose(ar);
                    DebPackage p = readData(control, decompress(member, raw));
                    if (!p.stoppedEarly()) {
                        complete(member, raw, e);
                    }
                    return p;
                } else if (!member.startsWith("_")) {
                    // dpkg ignores members starting with "_" (signatures); anything else is not a .deb of ours
                    throw new DebFormatException(name, "unexpected ar member '" + SystemRoot.printable(member) + "'");
                }
            }
            if (members == 0) {
                throw new DebFormatException(name, "empty ar archive: not a .deb");
            }
            throw new DebFormatException(name, control == null ? "no control member (truncated?)" : "no data member (truncated?)");
        }

        /** Catches a member cut short after the part that was decoded (tar end blocks, compressor trailer). */
        private void complete(String member, NoClose raw, ArArchiveEntry e) throws IOException, DebFormatException {
            raw.transferTo(OutputStream.nullOutputStream());
            if (raw.count < e.getLength()) {
                throw new DebFormatException(name, "member " + member + " is cut short: " + raw.count + " of "
                        + e.getLength() + " bytes (truncated)");
            }
        }

        private InputStream decompress(String member, InputStream raw) throws IOException, DebFormatException {
            String ext = member.substring(member.indexOf(".tar") + 4);
            return switch (ext) {
                case "" -> raw;
                case ".gz" -> new GzipCompressorInputStream(raw);
                case ".xz" -> XZCompressorInputStream.builder().setInputStream(raw).setMemoryLimitKiB(limits.xzMemoryKiB()).get();
                case ".zst" -> ZstdDecoder.open(raw);
                case ".bz2" -> new BZip2CompressorInputStream(raw);
                default -> throw new DebFormatException(name, "unsupported compression of member '"
                        + SystemRoot.printable(member) + "'");
            };
        }

        private ControlFields readControl(InputStream decompressed) throws IOException, DebFormatException {
            try (InputStream budget = new Budget(decompressed, limits.maxControlBytes(), "control.tar");
                 TarArchiveInputStream tar = new TarArchiveInputStream(new TarHeaderGuard(budget, MAX_TAR_METADATA))) {
                TarArchiveEntry e;
                int entries = 0;
                while ((e = tar.getNextEntry()) != null) {
                    if (++entries > 256) {
                        throw new DebFormatException(name, "control.tar has more than 256 entries");
                    }
                    String path = normalize(e.getName());
                    if (!path.equals("control")) {
                        continue;
                    }
                    if (!isPlainFile(e)) {
                        throw new DebFormatException(name, "control is not a regular file in control.tar");
                    }
                    if (e.getSize() > limits.maxControlFile()) {
                        throw new DebFormatException(name, "control file is larger than " + limits.maxControlFile() + " bytes");
                    }
                    byte[] bytes = tar.readNBytes(limits.maxControlFile() + 1);
                    try {
                        return ControlFields.parse(new String(bytes, StandardCharsets.UTF_8));
                    } catch (IllegalArgumentException bad) {
                        throw new DebFormatException(name, bad.getMessage());
                    }
                }
            }
            throw new DebFormatException(name, "control.tar has no control file");
        }

        private DebPackage readData(ControlFields control, InputStream decompressed) throws IOException, DebFormatException {
            Map<String, IncomingKernel> kernels = new TreeMap<>();
            OpenZfsMeta meta = null;
            // dpkg-deb writes "./" first and then sorts; only then may the tail be skipped.
            boolean sorted = false;
            boolean first = true;
            boolean stoppedEarly = false;
            String[] previous = null;
            try (Budget budget = new Budget(decompressed, limits.maxDataBytes(), "data.tar");
                 TarArchiveInputStream tar = new TarArchiveInputStream(new TarHeaderGuard(budget, MAX_TAR_METADATA))) {
                TarArchiveEntry e;
                int entries = 0;
                while ((e = tar.getNextEntry()) != null) {
                    if (++entries > limits.maxDataEntries()) {
                        throw new DebFormatException(name, "data.tar has more than " + limits.maxDataEntries() + " entries");
                    }
                    if (e.getSize() > budget.remaining()) {
                        // Refused before a byte of it is decompressed: a bomb costs nothing.
                        throw new DebFormatException(name, "data.tar entry '" + SystemRoot.printable(e.getName())
                                + "' declares " + e.getSize() + " bytes, more than the " + limits.maxDataBytes()
                                + " bytes zfsguard reads");
                    }
                    String path = normalize(e.getName());
                    if (first) {
                        sorted = path.isEmpty();
                        first = false;
                    }
                    if (path.isEmpty()) {
                        continue;
                    }
                    String[] c = path.split("/");
                    if (previous != null && compare(previous, c) > 0) {
                        sorted = false;
                    }
                    previous = c;
                    if (sorted && compare(c, USR_SRC) > 0 && !startsWith(c, USR_SRC)) {
                        stoppedEarly = true;
                        break;
                    }
                    classify(c, kernels);
                    if (c.length == 4 && c[0].equals("usr") && c[1].equals("src") && c[2].startsWith("zfs-")
                            && c[3].equals("META")) {
                        if (meta != null) {
                            throw new DebFormatException(name, "two OpenZFS META files");
                        }
                        meta = readMeta(e, tar, path);
                    }
                    if (sorted && scope == Scope.FIRST_ANSWER && answered(c, kernels, meta)) {
                        stoppedEarly = true;
                        break;
                    }
                }
                if (!stoppedEarly) {
                    // Read past the tar end blocks so that the compressor checks its trailer and checksum.
                    budget.transferTo(OutputStream.nullOutputStream());
                }
            }
            return new DebPackage(control, new ArrayList<>(kernels.values()), Optional.ofNullable(meta), stoppedEarly);
        }

        private OpenZfsMeta readMeta(TarArchiveEntry e, InputStream tar, String path) throws IOException, DebFormatException {
            if (!isPlainFile(e)) {
                throw new DebFormatException(name, "/" + SystemRoot.printable(path) + " is a link or special file, not a META file");
            }
            if (e.getSize() > limits.maxMetaBytes()) {
                throw new DebFormatException(name, "/" + SystemRoot.printable(path) + " is larger than "
                        + limits.maxMetaBytes() + " bytes");
            }
            byte[] bytes = tar.readNBytes(limits.maxMetaBytes() + 1);
            try {
                return OpenZfsMeta.parse(new String(bytes, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException bad) {
                throw new DebFormatException(name, "/" + SystemRoot.printable(path) + ": " + bad.getMessage());
            }
        }

        /** "./lib/modules/x" and "/lib/modules/x" to "lib/modules/x"; refuses names that climb. */
        private String normalize(String entry) throws DebFormatException {
            String p = entry;
            while (p.startsWith("./") || p.startsWith("/")) {
                p = p.substring(p.startsWith("./") ? 2 : 1);
            }
            if (p.equals(".")) {
                return "";
            }
            while (p.endsWith("/")) {
                p = p.substring(0, p.length() - 1);
            }
            for (String part : p.split("/", -1)) {
                if (part.equals("..")) {
                    throw new DebFormatException(name, "archive entry '" + SystemRoot.printable(entry) + "' climbs out with '..'");
                }
            }
            return p;
        }
    }

    private static final String[] USR_SRC = {"usr", "src"};
    /** PAX records and GNU long names of a real package are a few hundred bytes. */
    private static final long MAX_TAR_METADATA = 1 << 20;

    /** A regular file by its tar type flag (TarArchiveEntry.isFile also says yes for links). */
    private static boolean isPlainFile(TarArchiveEntry e) {
        return e.getLinkFlag() == TarArchiveEntry.LF_NORMAL || e.getLinkFlag() == TarArchiveEntry.LF_OLDNORM;
    }

    /** What {@link Scope#FIRST_ANSWER} waits for; entries come in dpkg-deb's sorted order. */
    private static boolean answered(String[] c, Map<String, IncomingKernel> kernels, OpenZfsMeta meta) {
        if (meta != null) {
            return true;
        }
        if (c.length >= 3 && c[0].equals("usr") && c[1].equals("src") && c[2].startsWith("linux-headers-")) {
            return true; // boot/ and every modules directory sort before usr/src/
        }
        return kernels.values().stream().anyMatch(k -> k.image() && k.modules());
    }

    private static void classify(String[] c, Map<String, IncomingKernel> kernels) {
        if (c.length == 2 && c[0].equals("boot") && c[1].startsWith("vmlinuz-")) {
            note(kernels, c[1].substring("vmlinuz-".length()), true, false, false);
            return;
        }
        int base = -1;
        if (c.length >= 3 && c[0].equals("lib") && c[1].equals("modules")) {
            base = 2;
        } else if (c.length >= 4 && c[0].equals("usr") && c[1].equals("lib") && c[2].equals("modules")) {
            base = 3;
        }
        if (base >= 0 && c.length > base + 1) {
            boolean headerLink = c[base + 1].equals("build") || c[base + 1].equals("source");
            note(kernels, c[base], false, !headerLink, headerLink);
            return;
        }
        if (c.length >= 3 && c[0].equals("usr") && c[1].equals("src") && c[2].startsWith("linux-headers-")) {
            note(kernels, c[2].substring("linux-headers-".length()), false, false, true);
        }
    }

    private static void note(Map<String, IncomingKernel> kernels, String release, boolean image, boolean modules,
            boolean headers) {
        if (!KernelRelease.isValid(release)) {
            return; // vmlinuz-rescue and the like: not a kernel release
        }
        IncomingKernel k = new IncomingKernel(release, image, modules, headers);
        kernels.merge(release, k, IncomingKernel::merge);
    }

    /** dpkg-deb's order: depth first, names sorted within a directory, i.e. component by component. */
    static int compare(String[] a, String[] b) {
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            int c = a[i].compareTo(b[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.length, b.length);
    }

    private static boolean startsWith(String[] a, String[] prefix) {
        if (a.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (!a[i].equals(prefix[i])) {
                return false;
            }
        }
        return true;
    }

    /** A bound was exceeded; carries the message for {@link DebFormatException}. */
    private static final class LimitExceeded extends IOException {
        LimitExceeded(String message) {
            super(message);
        }
    }

    /** Counts bytes coming out of a decompressor and stops at the budget: the guard against bombs. */
    private static final class Budget extends ReadThroughFilter {
        private final long max;
        private final String what;
        private long count;

        Budget(InputStream in, long max, String what) {
            super(in);
            this.max = max;
            this.what = what;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = in.read(buf, off, len);
            if (n > 0) {
                add(n);
            }
            return n;
        }

        long remaining() {
            return max - count;
        }

        private void add(int n) throws LimitExceeded {
            count += n;
            if (count > max) {
                throw new LimitExceeded(what + " unpacks to more than " + max + " bytes");
            }
        }
    }

    /** Keeps a decompressor's close from closing the ar stream under it, and counts the member's bytes. */
    private static final class NoClose extends FilterInputStream {
        long count;

        NoClose(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long k = super.skip(n);
            count += k;
            return k;
        }

        @Override
        public void close() {
            // the ar stream belongs to the caller
        }
    }
}
