package org.zfsguard.zfs;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the {@code .modinfo} section of an ELF relocatable object (a kernel
 * module) without running {@code modinfo}: 32 and 64 bit, little and big
 * endian. Every offset and size comes from an untrusted file, so each is
 * checked against the data before use, and every size is bounded: a module
 * never costs more heap than its {@code .modinfo}.
 */
public final class ElfModinfoReader {
    private static final int ET_REL = 1;
    private static final int SHT_NOBITS = 8;
    private static final int SHN_XINDEX = 0xffff;
    /** More sections than any module has; stops a hostile header from making us loop for long. */
    private static final long MAX_SECTIONS = 1 << 14;
    /** A real {@code .modinfo} is a few KiB (zfs.ko with its parameter descriptions about 40). */
    static final int MAX_MODINFO_BYTES = 256 << 10;

    private ElfModinfoReader() {
    }

    public static ModuleInfo read(ByteBuffer file) throws ModuleReadException {
        return read(ModuleBytes.of(file));
    }

    static ModuleInfo read(ModuleBytes b) throws ModuleReadException {
        long size = b.limit();
        if (size < 16 || b.byteAt(0) != 0x7f || b.byteAt(1) != 'E' || b.byteAt(2) != 'L' || b.byteAt(3) != 'F') {
            throw new ModuleReadException(size < 16 ? "too short to be an ELF file (" + size + " bytes)" : "not an ELF file");
        }
        boolean is64 = switch (b.byteAt(4)) {
            case 1 -> false;
            case 2 -> true;
            default -> throw new ModuleReadException("unknown ELF class " + b.byteAt(4));
        };
        boolean big = switch (b.byteAt(5)) {
            case 1 -> false;
            case 2 -> true;
            default -> throw new ModuleReadException("unknown ELF byte order " + b.byteAt(5));
        };
        Reader r = new Reader(b, big);
        int headerSize = is64 ? 64 : 52;
        if (size < headerSize) {
            throw new ModuleReadException("truncated ELF header (" + size + " bytes)");
        }
        int type = r.u16(16);
        int machine = r.u16(18);
        if (type != ET_REL) {
            throw new ModuleReadException("ELF type " + type + " is not a relocatable object (kernel module)");
        }
        long shoff = is64 ? r.u64(0x28) : r.u32(0x20);
        int shentsize = r.u16(is64 ? 0x3a : 0x2e);
        long shnum = r.u16(is64 ? 0x3c : 0x30);
        int shstrndx = r.u16(is64 ? 0x3e : 0x32);
        int minEntry = is64 ? 64 : 40;
        if (shoff == 0 || shentsize < minEntry) {
            throw new ModuleReadException("no section header table");
        }
        b.byteAt(shoff); // a table past the end or past a stream's cap says so in the data's own words
        Section first = section(r, is64, shoff, shentsize, 0, size);
        if (shnum == 0) {
            shnum = first.size;
        }
        if (shstrndx == SHN_XINDEX) {
            shstrndx = (int) Math.min(first.link, Integer.MAX_VALUE);
        }
        if (shnum > MAX_SECTIONS) {
            throw new ModuleReadException(shnum + " sections: more than any module has");
        }
        if (shoff > size || shnum * shentsize > size - shoff) {
            throw new ModuleReadException("section header table beyond the end of the file (truncated?)");
        }
        if (shstrndx >= shnum) {
            throw new ModuleReadException("section name table index " + shstrndx + " out of range");
        }
        Section names = section(r, is64, shoff, shentsize, shstrndx, size);
        checkData(names, size, "section name table");
        long modinfo = -1;
        Section found = null;
        for (long i = 1; i < shnum; i++) {
            Section s = section(r, is64, shoff, shentsize, i, size);
            if (isModinfo(r, names, s.name)) {
                found = s;
                modinfo = i;
                break;
            }
        }
        if (found == null) {
            throw new ModuleReadException("no .modinfo section (not a kernel module?)");
        }
        if (found.type == SHT_NOBITS) {
            throw new ModuleReadException(".modinfo section has no data");
        }
        checkData(found, size, ".modinfo section");
        if (found.size > MAX_MODINFO_BYTES) {
            throw new ModuleReadException(".modinfo section " + modinfo + " is " + found.size + " bytes: more than "
                    + (MAX_MODINFO_BYTES >> 10) + " KiB");
        }
        return new ModuleInfo(parse(b, found.offset, found.size), machine);
    }

    /** NUL-separated key=value strings; the first value of a key wins, as modinfo -F shows it first. */
    static Map<String, String> parse(ModuleBytes b, long offset, long size) throws ModuleReadException {
        Map<String, String> out = new LinkedHashMap<>();
        ByteArrayOutputStream entry = new ByteArrayOutputStream();
        for (long i = offset; i <= offset + size; i++) {
            int c = i < offset + size ? b.byteAt(i) : 0;
            if (c != 0) {
                entry.write(c);
                continue;
            }
            if (entry.size() > 0) {
                String e = entry.toString(StandardCharsets.UTF_8);
                int eq = e.indexOf('=');
                if (eq > 0) {
                    out.putIfAbsent(e.substring(0, eq), e.substring(eq + 1));
                }
                entry.reset();
            }
        }
        return out;
    }

    private record Section(long name, long type, long offset, long size, long link) {
    }

    private static Section section(Reader r, boolean is64, long shoff, int entsize, long index, long size)
            throws ModuleReadException {
        long at = shoff + index * entsize;
        int need = is64 ? 64 : 40;
        if (index < 0 || shoff > size || index > (size - shoff) / entsize || at < 0 || at > size - need) {
            throw new ModuleReadException("section header " + index + " beyond the end of the file (truncated?)");
        }
        if (is64) {
            return new Section(r.u32(at), r.u32(at + 4), r.u64(at + 24), r.u64(at + 32), r.u32(at + 40));
        }
        return new Section(r.u32(at), r.u32(at + 4), r.u32(at + 16), r.u32(at + 20), r.u32(at + 24));
    }

    private static void checkData(Section s, long size, String what) throws ModuleReadException {
        if (s.offset < 0 || s.size < 0 || s.offset > size || s.size > size - s.offset) {
            throw new ModuleReadException(what + " beyond the end of the file (truncated?)");
        }
    }

    private static final byte[] MODINFO = ".modinfo\0".getBytes(StandardCharsets.US_ASCII);

    /** Compares the name in place: a hostile name table never becomes a string. */
    private static boolean isModinfo(Reader r, Section names, long nameOffset) throws ModuleReadException {
        if (nameOffset >= names.size || names.size - nameOffset < MODINFO.length) {
            return false;
        }
        for (int i = 0; i < MODINFO.length; i++) {
            if (r.b.byteAt(names.offset + nameOffset + i) != MODINFO[i]) {
                return false;
            }
        }
        return true;
    }

    private record Reader(ModuleBytes b, boolean big) {
        long unsigned(long at, int n) throws ModuleReadException {
            long v = 0;
            for (int i = 0; i < n; i++) {
                long x = b.byteAt(at + (big ? i : n - 1 - i));
                v = (v << 8) | x;
            }
            return v;
        }

        int u16(long at) throws ModuleReadException {
            return (int) unsigned(at, 2);
        }

        long u32(long at) throws ModuleReadException {
            return unsigned(at, 4);
        }

        long u64(long at) throws ModuleReadException {
            long v = unsigned(at, 8);
            return v < 0 ? Long.MAX_VALUE : v;
        }
    }
}
