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
}
