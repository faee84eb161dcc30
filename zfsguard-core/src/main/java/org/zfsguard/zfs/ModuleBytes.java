package org.zfsguard.zfs;

import java.nio.ByteBuffer;

/**
 * The bytes of a module file as {@link ElfModinfoReader} reads them, by offset: a
 * mapped file, or a decompressing stream that keeps only what a module's layout needs
 * ({@link StreamedModuleBytes}), so that no module costs its size in heap.
 */
interface ModuleBytes {
    /** An upper bound of the offsets that can be read: the file size, or the decompression cap. */
    long limit();

    /** The unsigned byte at {@code at}; throws when it is past the end or no longer kept. */
    int byteAt(long at) throws ModuleReadException;

    /** A mapped or in-memory file. */
    static ModuleBytes of(ByteBuffer file) {
        ByteBuffer b = file.duplicate();
        return new ModuleBytes() {
            @Override
            public long limit() {
                return b.limit();
            }

            @Override
            public int byteAt(long at) throws ModuleReadException {
                if (at < 0 || at >= b.limit()) {
                    throw new ModuleReadException("offset " + at + " beyond the end of the file (truncated?)");
                }
                return b.get((int) at) & 0xff;
            }
        };
    }
}
