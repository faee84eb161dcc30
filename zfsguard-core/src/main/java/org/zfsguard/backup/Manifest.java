package org.zfsguard.backup;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.zfsguard.system.SystemRoot;
import org.zfsguard.kernel.KernelRelease;

/**
 * The list of everything in one boot-set backup, and the proof that the list is
 * whole. The text format is made to be read by people and by a plain POSIX
 * shell loop ({@code IFS=<tab> read -r type mode uid gid size sha256 path link}):
 *
 * <pre>
 * #zfsguard-boot-set&lt;TAB&gt;1
 * #kernel&lt;TAB&gt;6.12.57-current-rockchip64
 * #created&lt;TAB&gt;2026-11-24T04:00:00Z
 * d  0755  0  0  0     -       /lib/modules/6.12.57-current-rockchip64
 * f  0644  0  0  8192  SHA256  /lib/modules/6.12.57-current-rockchip64/modules.dep
 * l  0777  0  0  0     -       /lib/modules/6.12.57-current-rockchip64/build  /usr/src/linux-headers-6.12.57-current-rockchip64
 * #end&lt;TAB&gt;COUNT&lt;TAB&gt;SHA256 OF EVERY BYTE BEFORE THIS LINE
 * </pre>
 *
 * Fields are separated by one tab; the mode is four octal digits; uid, gid and
 * size are decimal; paths and link targets escape only tab, newline and
 * {@code %} (see {@link PathEscape}). A file's content is the blob
 * {@code objects/<first two hex digits>/<sha256>}. Entries come in an order
 * where every directory precedes what it contains. The {@code #end} trailer is
 * written last: a manifest without it, or whose count or hash does not match,
 * belongs to a backup that never finished or was damaged, and is not valid.
 */
public record Manifest(String kernel, Instant created, List<ManifestEntry> entries) {
    static final String MAGIC = "#zfsguard-boot-set";
    static final String VERSION = "1";
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern MODE = Pattern.compile("[0-7]{4}");
    private static final Pattern ID_NUMBER = Pattern.compile("0|[1-9][0-9]{0,9}");
    private static final Pattern SIZE = Pattern.compile("0|[1-9][0-9]{0,17}");

    public Manifest {
        KernelRelease.require(kernel);
        entries = List.copyOf(entries);
    }

    public int fileCount() {
        return (int) entries.stream().filter(e -> e.type() == EntryType.FILE).count();
    }

    public long totalFileBytes() {
        return entries.stream().filter(e -> e.type() == EntryType.FILE).mapToLong(ManifestEntry::size).sum();
    }

    /** A digest of the entries alone (not the time): equal for backups of identical files. */
    public String contentDigest() {
        String all = new String(toBytes(), StandardCharsets.UTF_8);
        int start = all.indexOf("\n#created\t");
        start = all.indexOf('\n', start + 1) + 1;
        int end = all.lastIndexOf("#end\t");
        return Hashing.sha256Hex(all.substring(start, end).getBytes(StandardCharsets.UTF_8));
    }

    public byte[] toBytes() {
        StringBuilder b = new StringBuilder(entries.size() * 160 + 200);
        b.append(MAGIC).append('\t').append(VERSION).append('\n');
        b.append("#kernel\t").append(kernel).append('\n');
        b.append("#created\t").append(created).append('\n');
        for (ManifestEntry e : entries) {
            b.append(e.type().code()).append('\t')
                    .append(String.format("%04o", e.mode())).append('\t')
                    .append(Integer.toUnsignedString(e.uid())).append('\t')
                    .append(Integer.toUnsignedString(e.gid())).append('\t')
                    .append(e.size()).append('\t')
                    .append(e.sha256() == null ? "-" : e.sha256()).append('\t')
                    .append(PathEscape.escape(e.path()));
            if (e.type() == EntryType.SYMLINK) {
                b.append('\t').append(PathEscape.escape(e.linkTarget()));
            }
            b.append('\n');
        }
        byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
        String trailer = "#end\t" + entries.size() + "\t" + Hashing.sha256Hex(body) + "\n";
        byte[] t = trailer.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[body.length + t.length];
        System.arraycopy(body, 0, all, 0, body.length);
        System.arraycopy(t, 0, all, body.length, t.length);
        return all;
    }

    /**
     * Reads a manifest, checking that it is complete (trailer count and hash) and
     * that every line is well formed and stays inside the boot set of its kernel.
     */
    public static Manifest parse(byte[] bytes) throws ManifestException {
        int n = bytes.length;
        if (n == 0 || bytes[n - 1] != '\n') {
            throw new ManifestException("incomplete: does not end with a whole line");
        }
        int lastStart = n - 1;
        while (lastStart > 0 && bytes[lastStart - 1] != '\n') {
            lastStart--;
        }
        String trailer = new String(bytes, lastStart, n - 1 - lastStart, StandardCharsets.US_ASCII);
        String[] t = trailer.split("\t", -1);
        if (t.length != 3 || !t[0].equals("#end") || !SHA256.matcher(t[2]).matches() || !t[1].matches("0|[1-9][0-9]{0,8}")) {
            throw new ManifestException("incomplete: no #end trailer");
        }
        if (!Hashing.sha256Hex(bytes, 0, lastStart).equals(t[2])) {
            throw new ManifestException("damaged: the trailer's sha256 does not match the manifest");
        }
        String body = decode(bytes, lastStart);
        String[] lines = body.split("\n", -1);
        // body ends with '\n', so the split leaves one empty string at the end
        if (lines.length < 4 || !lines[lines.length - 1].isEmpty()) {
            throw new ManifestException("malformed: header missing");
        }
        if (!lines[0].equals(MAGIC + "\t" + VERSION)) {
            throw new ManifestException("not a version " + VERSION + " zfsguard manifest");
        }
        String kernel = header(lines[1], "#kernel");
        if (!KernelRelease.isValid(kernel)) {
            throw new ManifestException("malformed: bad kernel release '" + SystemRoot.printable(kernel) + "'");
        }
        Instant created;
        try {
            created = Instant.parse(header(lines[2], "#created"));
        } catch (DateTimeParseException e) {
            throw new ManifestException("malformed: bad #created time");
        }
        List<ManifestEntry> entries = new ArrayList<>(lines.length);
        Map<String, EntryType> seen = new HashMap<>();
        for (int i = 3; i < lines.length - 1; i++) {
            ManifestEntry e = entry(lines[i], i + 1, kernel);
            String item = BootSetLayout.itemOf(kernel, e.path());
            if (!e.path().equals(item)) {
                String parent = e.path().substring(0, e.path().lastIndexOf('/'));
                if (seen.get(parent) != EntryType.DIR) {
                    throw new ManifestException("line " + (i + 1) + ": " + SystemRoot.printable(e.path())
                            + " comes before or outside its directory");
                }
            }
            if (seen.put(e.path(), e.type()) != null) {
                throw new ManifestException("line " + (i + 1) + ": " + SystemRoot.printable(e.path()) + " listed twice");
            }
            entries.add(e);
        }
        if (entries.size() != Integer.parseInt(t[1])) {
            throw new ManifestException("damaged: trailer counts " + t[1] + " entries, found " + entries.size());
        }
        return new Manifest(kernel, created, entries);
    }

    private static String decode(byte[] bytes, int length) throws ManifestException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length)).toString();
        } catch (CharacterCodingException e) {
            throw new ManifestException("malformed: not UTF-8 text");
        }
    }

    private static String header(String line, String key) throws ManifestException {
        if (!line.startsWith(key + "\t")) {
            throw new ManifestException("malformed: expected " + key);
        }
        return line.substring(key.length() + 1);
    }

    private static ManifestEntry entry(String line, int lineNo, String kernel) throws ManifestException {
        String[] f = line.split("\t", -1);
        String where = "line " + lineNo + ": ";
        if (f.length < 7 || f.length > 8) {
            throw new ManifestException(where + "expected 7 or 8 tab-separated fields");
        }
        EntryType type = EntryType.ofCode(f[0]);
        if (type == null) {
            throw new ManifestException(where + "unknown type '" + SystemRoot.printable(f[0]) + "'");
        }
        if (!MODE.matcher(f[1]).matches() || !ID_NUMBER.matcher(f[2]).matches() || !ID_NUMBER.matcher(f[3]).matches()
                || !SIZE.matcher(f[4]).matches()) {
            throw new ManifestException(where + "bad mode, owner or size");
        }
        long uid = Long.parseLong(f[2]);
        long gid = Long.parseLong(f[3]);
        if (uid > 0xffffffffL || gid > 0xffffffffL) {
            throw new ManifestException(where + "owner out of range");
        }
        String path = PathEscape.unescape(f[6]);
        if (path == null || !isCleanAbsolute(path)) {
            throw new ManifestException(where + "bad path '" + SystemRoot.printable(f[6]) + "'");
        }
        if (BootSetLayout.itemOf(kernel, path) == null) {
            throw new ManifestException(where + SystemRoot.printable(path) + " is no part of the boot set of " + kernel);
        }
        int mode = Integer.parseInt(f[1], 8);
        long size = Long.parseLong(f[4]);
        switch (type) {
            case FILE -> {
                if (f.length != 7 || !SHA256.matcher(f[5]).matches()) {
                    throw new ManifestException(where + "a file needs a sha256 and no link target");
                }
                return new ManifestEntry(type, mode, (int) uid, (int) gid, size, f[5], path, null);
            }
            case DIR -> {
                if (f.length != 7 || !f[5].equals("-") || size != 0) {
                    throw new ManifestException(where + "a directory has no sha256, size or link target");
                }
                return new ManifestEntry(type, mode, (int) uid, (int) gid, 0, null, path, null);
            }
            default -> {
                String target = f.length == 8 ? PathEscape.unescape(f[7]) : null;
                if (target == null || target.isEmpty() || target.indexOf('\0') >= 0 || !f[5].equals("-") || size != 0) {
                    throw new ManifestException(where + "a symlink needs a link target and no sha256");
                }
                return new ManifestEntry(type, mode, (int) uid, (int) gid, 0, null, path, target);
            }
        }
    }

    /** Absolute, no empty, "." or ".." component, no NUL, no trailing slash. */
    static boolean isCleanAbsolute(String path) {
        if (!path.startsWith("/") || path.length() < 2 || path.endsWith("/") || path.indexOf('\0') >= 0) {
            return false;
        }
        for (String c : path.substring(1).split("/", -1)) {
            if (c.isEmpty() || c.equals(".") || c.equals("..") || c.length() > 255) {
                return false;
            }
        }
        return true;
    }
}
