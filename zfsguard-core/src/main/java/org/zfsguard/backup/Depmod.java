package org.zfsguard.backup;

import java.io.IOException;

import org.zfsguard.system.SystemRoot;

/** Rebuilds the module index of a kernel after its modules were restored. */
@FunctionalInterface
public interface Depmod {
    void run(SystemRoot root, String kernel) throws IOException;
}
