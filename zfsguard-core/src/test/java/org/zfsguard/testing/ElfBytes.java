package org.zfsguard.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Hand-built minimal ELF relocatable files (header, .modinfo, .shstrtab and
 * the section header table), for the class/byte-order combinations no
 * installed compiler produces.
 */
public final class ElfBytes {
    private ElfBytes() {
    }

    public static byte[] build(boolean is64, boolean bigEndian, int machine, String modinfo) {
        byte[] info = modinfo.getBytes(StandardCharsets.UTF_8);
        byte[] names = "\0.modinfo\0.shstrtab\0".getBytes(StandardCharsets.US_ASCII);
        int ehsize = is64 ? 64 : 52;
        int shentsize = is64 ? 64 : 40;
        int infoOff = ehsize;
        int namesOff = infoOff + info.length;
        int shoff = (namesOff + names.length + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(shoff + 3 * shentsize)
                .order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) (is64 ? 2 : 1), (byte) (bigEndian ? 2 : 1), 1});
        b.position(16);
        b.putShort((short) 1).putShort((short) machine).putInt(1);
        if (is64) {
            b.putLong(0).putLong(0).putLong(shoff).putInt(0);
        } else {
            b.putInt(0).putInt(0).putInt(shoff).putInt(0);
        }
        b.putShort((short) ehsize).putShort((short) 0).putShort((short) 0)
                .putShort((short) shentsize).putShort((short) 3).putShort((short) 2);
        b.position(infoOff);
        b.put(info);
        b.put(names);
        section(b, is64, shoff + shentsize, 1, 1, infoOff, info.length);
        section(b, is64, shoff + 2 * shentsize, 10, 3, namesOff, names.length);
        return b.array();
    }

    private static void section(ByteBuffer b, boolean is64, int at, int name, int type, long off, long size) {
        b.position(at);
        b.putInt(name).putInt(type);
        if (is64) {
            b.putLong(2).putLong(0).putLong(off).putLong(size);
        } else {
            b.putInt(2).putInt(0).putInt((int) off).putInt((int) size);
        }
    }

    /**
     * Writes a 64-bit little-endian module of about {@code fillerBytes} to {@code out} without
     * holding it: header, {@code .modinfo}, a {@code .debug_info} of {@code fillerBytes}
     * (where a real zfs.ko with debug info has tens of MiB), names, section table, the
     * order {@code ld -r} writes them in.
     */
    public static void writeLarge(java.io.OutputStream out, int machine, String modinfo, long fillerBytes)
            throws java.io.IOException {
        byte[] info = modinfo.getBytes(StandardCharsets.UTF_8);
        byte[] names = "\0.modinfo\0.shstrtab\0.debug_info\0".getBytes(StandardCharsets.US_ASCII);
        long infoOff = 64;
        long fillOff = infoOff + info.length;
        long namesOff = fillOff + fillerBytes;
        long shoff = (namesOff + names.length + 7) & ~7L;
        ByteBuffer h = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        h.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        h.position(16);
        h.putShort((short) 1).putShort((short) machine).putInt(1);
        h.putLong(0).putLong(0).putLong(shoff).putInt(0);
        h.putShort((short) 64).putShort((short) 0).putShort((short) 0).putShort((short) 64).putShort((short) 4)
                .putShort((short) 2);
        out.write(h.array());
        out.write(info);
        byte[] chunk = new byte[1 << 16];
        for (long left = fillerBytes; left > 0; left -= chunk.length) {
            for (int i = 0; i < chunk.length; i += 4096) {
                chunk[i] = (byte) (left >> 12);
            }
            out.write(chunk, 0, (int) Math.min(chunk.length, left));
        }
        out.write(names);
        out.write(new byte[(int) (shoff - namesOff - names.length)]);
        ByteBuffer t = ByteBuffer.allocate(4 * 64).order(ByteOrder.LITTLE_ENDIAN);
        section(t, true, 64, 1, 1, infoOff, info.length);
        section(t, true, 128, 10, 3, namesOff, names.length);
        section(t, true, 192, 20, 1, fillOff, fillerBytes);
        out.write(t.array());
    }
}
