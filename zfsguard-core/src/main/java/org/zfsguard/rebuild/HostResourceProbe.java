package org.zfsguard.rebuild;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.zfsguard.system.SystemRoot;

/** Measures {@link HostResources} on a target: free space under the root, memory from /proc/meminfo. */
public final class HostResourceProbe {
    private static final Pattern LINE = Pattern.compile("(?m)^([A-Za-z_()]+):\\s+([0-9]{1,15}) kB\\s*$");
    private static final int MAX_MEMINFO_BYTES = 64 * 1024;

    private final SystemRoot root;

    public HostResourceProbe(SystemRoot root) {
        this.root = root;
    }

    /** Measures now; memory is the running system's even for a chroot, which shares its kernel. */
    public HostResources measure() throws IOException {
        return new HostResources(freeDiskMiB("/var/lib/dkms"), availableMemoryMiB(readMeminfo()));
    }

    /** Usable MiB on the file system that holds {@code absolute}, or its nearest existing parent. */
    public long freeDiskMiB(String absolute) throws IOException {
        Path p = root.resolve(absolute);
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            p = root.path();
        }
        try {
            return Files.getFileStore(p).getUsableSpace() / (1024 * 1024);
        } catch (IOException e) {
            // Inside a chroot the JDK cannot find the path's mount in /proc/self/mounts
            // ("Mount point not found"); statvfs on the path itself needs no mount table.
            long usable = p.toFile().getUsableSpace();
            if (usable <= 0) {
                throw e;
            }
            return usable / (1024 * 1024);
        }
    }

    private static String readMeminfo() throws IOException {
        try (InputStream in = Files.newInputStream(Path.of("/proc/meminfo"))) {
            return new String(in.readNBytes(MAX_MEMINFO_BYTES), StandardCharsets.UTF_8);
        }
    }

    /** MemAvailable plus SwapFree, in MiB; without MemAvailable (kernels before 3.14) MemFree is used. */
    public static long availableMemoryMiB(String meminfo) {
        OptionalLong avail = field(meminfo, "MemAvailable");
        if (avail.isEmpty()) {
            avail = field(meminfo, "MemFree");
        }
        long kb = avail.orElse(0) + field(meminfo, "SwapFree").orElse(0);
        return kb / 1024;
    }

    static OptionalLong field(String meminfo, String name) {
        Matcher m = LINE.matcher(meminfo);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return OptionalLong.of(Long.parseLong(m.group(2)));
            }
        }
        return OptionalLong.empty();
    }
}
