package org.zfsguard.backup;

import java.io.IOException;
import java.util.Collection;
import java.util.Map;

/** Which installed package, if any, owns a path (as dpkg records it). */
@FunctionalInterface
public interface PackageOwnership {
    /** The owning package of each of {@code paths} that has one; paths nobody owns are absent. */
    Map<String, String> owners(Collection<String> paths) throws IOException;
}
