package org.zfsguard.zfs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.kernel.RootFiles;
import org.zfsguard.system.SystemRoot;

/**
 * The OpenZFS source trees DKMS builds from ({@code /usr/src/zfs-<v>}). The
 * highest version is the one a rebuild would use, so it is the "installed OpenZFS".
 *
 * @param meta META of the highest tree, or null
 * @param metaPath its target path, or null when there is no tree
 * @param problem why META could not be read, or null
 */
public record OpenZfsSources(OpenZfsMeta meta, String metaPath, String problem) {
    private static final int MAX_META = 64 * 1024;
    private static final Pattern VERSION = Pattern.compile("\\d+(\\.\\d+){1,5}");

    public static OpenZfsSources read(RootFiles files) {
        List<String> versions = new ArrayList<>();
        try {
            for (String n : files.list("/usr/src")) {
                if (n.startsWith("zfs-") && VERSION.matcher(n.substring(4)).matches()) {
                    versions.add(n.substring(4));
                }
            }
        } catch (IOException e) {
            return new OpenZfsSources(null, "/usr/src", "cannot list /usr/src: " + SystemRoot.printable(String.valueOf(e.getMessage())));
        }
        if (versions.isEmpty()) {
            return new OpenZfsSources(null, null, null);
        }
        versions.sort(KernelRelease.VERSION_ORDER);
        String path = "/usr/src/zfs-" + versions.get(versions.size() - 1) + "/META";
        try {
            String text = files.readSmallText(path, MAX_META);
            if (text == null) {
                return new OpenZfsSources(null, path, path + " is missing or not a file");
            }
            return new OpenZfsSources(OpenZfsMeta.parse(text), path, null);
        } catch (IllegalArgumentException e) {
            return new OpenZfsSources(null, path, path + " is not a valid META file: " + e.getMessage());
        } catch (IOException e) {
            return new OpenZfsSources(null, path, "cannot read " + path + ": " + SystemRoot.printable(String.valueOf(e.getMessage())));
        }
    }

    public boolean present() {
        return metaPath != null;
    }
}
