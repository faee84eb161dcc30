package org.zfsguard.zfs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the {@code .modinfo} section of an ELF relocatable object (a kernel
 * module) without running {@code modinfo}: 32 and 64 bit, little and big
 * endian. Every offset and size comes from an untrusted file, so each is
 * checked against the buffer before use.
 */
public final class ElfModinfoReader {
    private static final int ET_REL = 1;
    private static final int SHT_NOBITS = 8;
    private static final int SHN_XINDEX = 0xffff;
    /** More sections than any module has; stops a hostile header from making us loop for long. */
    private static final long MAX_SECTIONS = 1 << 20;

    private ElfModinfoReader() {
    }

    public static ModuleInfo read(ByteBuffer file) throws ModuleReadException {
        ByteBuffer b = file.duplicate();
        long size = b.limit();
        if (size < 16 || b.get(0) != 0x7f || b.get(1) != 'E' || b.get(2) != 'L' || b.get(3) != 'F') {
            throw new ModuleReadException(size < 16 ? "too short to be an ELF file (" + size + " bytes)" : "not an ELF file");
        }
        boolean is64 = switch (b.get(4)) {
            case 1 -> false;
            case 2 -> true;
            default -> throw new ModuleReadException("unknown ELF class " + b.get(4));
        };
        b.order(switch (b.get(5)) {
            case 1 -> ByteOrder.LITTLE_ENDIAN;
            case 2 -> ByteOrder.BIG_ENDIAN;
            default -> throw new ModuleReadException("unknown ELF byte order " + b.get(5));
        });
        int headerSize = is64 ? 64 : 52;
        if (size < headerSize) {
            throw new ModuleReadException("truncated ELF header (" + size + " bytes)");
        }
        int type = u16(b, 16);
        int machine = u16(b, 18);
        if (type != ET_REL) {
            throw new ModuleReadException("ELF type " + type + " is not a relocatable object (kernel module)");
        }
        long shoff = is64 ? u64(b, 0x28) : u32(b, 0x20);
        int shentsize = u16(b, is64 ? 0x3a : 0x2e);
        long shnum = u16(b, is64 ? 0x3c : 0x30);
        int shstrndx = u16(b, is64 ? 0x3e : 0x32);
        int minEntry = is64 ? 64 : 40;
        if (shoff == 0 || shentsize < minEntry) {
            throw new ModuleReadException("no section header table");
        }
        Section first = section(b, is64, shoff, shentsize, 0, size);
        if (shnum == 0) {
            shnum = first.size;
        }
        if (shstrndx == SHN_XINDEX) {
            shstrndx = (int) Math.min(first.link, Integer.MAX_VALUE);
        }
        if (shnum > MAX_SECTIONS || shoff > size || shnum * shentsize > size - shoff) {
            throw new ModuleReadException("section header table beyond the end of the file (truncated?)");
        }
        if (shstrndx >= shnum) {
            throw new ModuleReadException("section name table index " + shstrndx + " out of range");
        }
        Section names = section(b, is64, shoff, shentsize, shstrndx, size);
        checkData(names, size, "section name table");
        for (long i = 1; i < shnum; i++) {
            Section s = section(b, is64, shoff, shentsize, i, size);
            if (".modinfo".equals(name(b, names, s.name))) {
                if (s.type == SHT_NOBITS) {
                    throw new ModuleReadException(".modinfo section has no data");
                }
                checkData(s, size, ".modinfo section");
                return new ModuleInfo(parse(b, s.offset, s.size), machine);
            }
        }
        throw new ModuleReadException("no .modinfo section (not a kernel module?)");
    }

    /** NUL-separated key=value strings; the first value of a key wins, as modinfo -F shows it first. */
    static Map<String, String> parse(ByteBuffer b, long offset, long size) {
        Map<String, String> out = new LinkedHashMap<>();
        int start = (int) offset;
        int end = (int) (offset + size);
        int i = start;
        while (i < end) {
            int j = i;
            while (j < end && b.get(j) != 0) {
                j++;
            }
            if (j > i) {
                byte[] raw = new byte[j - i];
                b.get(i, raw);
                String entry = new String(raw, StandardCharsets.UTF_8);
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    out.putIfAbsent(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
            i = j + 1;
        }
        return out;
    }

    private record Section(long name, long type, long offset, long size, long link) {
    }

    private static Section section(ByteBuffer b, boolean is64, long shoff, int entsize, long index, long size)
            throws ModuleReadException {
        long at = shoff + index * entsize;
        int need = is64 ? 64 : 40;
        if (index < 0 || shoff > size || index > (size - shoff) / entsize || at < 0 || at > size - need) {
            throw new ModuleReadException("section header " + index + " beyond the end of the file (truncated?)");
        }
        int p = (int) at;
        if (is64) {
            return new Section(u32(b, p), u32(b, p + 4), u64(b, p + 24), u64(b, p + 32), u32(b, p + 40));
        }
        return new Section(u32(b, p), u32(b, p + 4), u32(b, p + 16), u32(b, p + 20), u32(b, p + 24));
    }

    private static void checkData(Section s, long size, String what) throws ModuleReadException {
        if (s.offset < 0 || s.size < 0 || s.offset > size || s.size > size - s.offset) {
            throw new ModuleReadException(what + " beyond the end of the file (truncated?)");
        }
    }

    private static String name(ByteBuffer b, Section names, long nameOffset) {
        if (nameOffset >= names.size) {
            return "";
        }
        int start = (int) (names.offset + nameOffset);
        int end = (int) (names.offset + names.size);
        int j = start;
        while (j < end && b.get(j) != 0) {
            j++;
        }
        byte[] raw = new byte[j - start];
        b.get(start, raw);
        return new String(raw, StandardCharsets.ISO_8859_1);
    }

    private static int u16(ByteBuffer b, int at) {
        return Short.toUnsignedInt(b.getShort(at));
    }

    private static long u32(ByteBuffer b, int at) {
        return Integer.toUnsignedLong(b.getInt(at));
    }

    private static long u64(ByteBuffer b, int at) {
        long v = b.getLong(at);
        return v < 0 ? Long.MAX_VALUE : v;
    }
}
