package org.zfsguard.pin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.zfsguard.deb.ControlFields;
import org.zfsguard.system.SystemRoot;

/**
 * apt's downloaded package lists ({@code /var/lib/apt/lists/*_Packages}, plain or
 * compressed as {@code Acquire::GzipIndexes} leaves them), read only for the
 * stanzas {@link KernelPackageIndex} keeps: a full Debian index has 60,000
 * stanzas and a few hundred kernel ones.
 */
public final class AptLists {
    public static final String DIR = "/var/lib/apt/lists";
    private static final int MAX_STANZA = 256 * 1024;

    private AptLists() {
    }

    /** The list files apt keeps, in name order. */
    public static List<Path> files(SystemRoot root) throws IOException {
        Path dir = root.resolveAll(DIR);
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!(n.endsWith("_Packages") || n.endsWith("_Packages.lz4") || n.endsWith("_Packages.gz")
                        || n.endsWith("_Packages.xz"))) {
                    continue;
                }
                // apt links the index of a file: source to the repository itself; the link is followed inside the root
                Path real = Files.isSymbolicLink(p) ? root.resolveAll(DIR + "/" + n) : p;
                if (Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                    out.add(real);
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** The kernel and zfs-dkms stanzas of every list; a list that cannot be read is named in {@code problems}. */
    public static KernelPackageIndex read(SystemRoot root, List<String> problems) throws IOException {
        List<ControlFields> stanzas = new ArrayList<>();
        for (Path p : files(root)) {
            try (InputStream in = open(p)) {
                stanzas.addAll(parse(in));
            } catch (IOException e) {
                problems.add("cannot read " + p.getFileName() + ": " + SystemRoot.printable(String.valueOf(e.getMessage())));
            }
        }
        return new KernelPackageIndex(stanzas);
    }

    private static InputStream open(Path p) throws IOException {
        InputStream raw = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS);
        String n = p.getFileName().toString();
        try {
            if (n.endsWith(".lz4")) {
                return new FramedLZ4CompressorInputStream(raw, true);
            }
            if (n.endsWith(".gz")) {
                return new GZIPInputStream(raw);
            }
            if (n.endsWith(".xz")) {
                return new XZCompressorInputStream(raw);
            }
        } catch (IOException e) {
            raw.close();
            throw e;
        }
        return raw;
    }

    /** The relevant stanzas of one Packages index; a malformed stanza is skipped, as apt would not offer it. */
    public static List<ControlFields> parse(InputStream in) throws IOException {
        List<ControlFields> out = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        StringBuilder stanza = new StringBuilder();
        boolean keep = false;
        boolean first = true;
        for (String line; (line = r.readLine()) != null; ) {
            if (line.isEmpty()) {
                add(out, keep, stanza);
                stanza.setLength(0);
                keep = false;
                first = true;
                continue;
            }
            if (first) {
                first = false;
                keep = line.startsWith("Package: ") && KernelPackageIndex.isRelevant(line.substring(9).strip());
            }
            if (keep) {
                if (stanza.length() + line.length() > MAX_STANZA) {
                    keep = false;
                    continue;
                }
                stanza.append(line).append('\n');
            }
        }
        add(out, keep, stanza);
        return out;
    }

    private static void add(List<ControlFields> out, boolean keep, StringBuilder stanza) {
        if (!keep || stanza.length() == 0) {
            return;
        }
        try {
            out.add(ControlFields.parse(stanza.toString()));
        } catch (IllegalArgumentException e) {
            // skipped: apt itself would not offer a stanza without a valid name, version and architecture
        }
    }
}
