package org.zfsguard.readiness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.kernel.RootFiles;

/**
 * What was found in each initramfs image, remembered in
 * {@code /var/cache/zfsguard/initramfs-scan.v1} under the image's identity
 * (size, modification and change time, inode, device): decompressing every
 * image is most of the cost of {@code status}, and images change only when
 * update-initramfs rewrites them, which changes their ctime.
 *
 * <p>Only written when {@code /var/cache/zfsguard} exists (the package made it),
 * never created in a foreign root; any failure just means no cache. Entries
 * are validated on load like any other file content.
 */
final class InitramfsCache {
    static final String DIR = "/var/cache/zfsguard";
    static final String FILE = DIR + "/initramfs-scan.v1";
    private static final int MAX_BYTES = 1 << 20;
    private static final int FIELDS = 12;

    private final Map<String, InitramfsFacts> loaded;
    private final Map<String, InitramfsFacts> used = new ConcurrentHashMap<>();
    private volatile boolean changed;

    private InitramfsCache(Map<String, InitramfsFacts> loaded) {
        this.loaded = loaded;
    }

    static InitramfsCache load(RootFiles files) {
        Map<String, InitramfsFacts> entries = new LinkedHashMap<>();
        try {
            String text = files.readSmallText(FILE, MAX_BYTES);
            if (text != null) {
                for (String line : text.split("\n")) {
                    String[] f = line.split("\t", -1);
                    if (f.length != FIELDS || !KernelRelease.isValid(f[0]) || !f[1].startsWith("/boot/")) {
                        continue;
                    }
                    InitramfsFacts.State state;
                    if (f[7].equals("PRESENT")) {
                        state = InitramfsFacts.State.PRESENT;
                    } else if (f[7].equals("MISSING")) {
                        state = InitramfsFacts.State.MISSING;
                    } else {
                        continue;
                    }
                    String key = String.join("\t", f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
                    entries.put(key, new InitramfsFacts(state, f[1], orNull(f[8]), orNull(f[9]), orNull(f[10]), orNull(f[11])));
                }
            }
        } catch (IOException | RuntimeException e) {
            entries.clear();
        }
        return new InitramfsCache(entries);
    }

    /** The identity of an image for kernel {@code k}, or null when it cannot be had. */
    static String identity(KernelRelease k, String file, Path host) {
        try {
            Map<String, Object> a = Files.readAttributes(host, "unix:size,lastModifiedTime,ctime,ino,dev", LinkOption.NOFOLLOW_LINKS);
            return String.join("\t", k.text(), file, String.valueOf(a.get("size")), String.valueOf(a.get("lastModifiedTime")),
                    String.valueOf(a.get("ctime")), String.valueOf(a.get("ino")), String.valueOf(a.get("dev")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    InitramfsFacts get(String identity) {
        InitramfsFacts f = identity == null ? null : loaded.get(identity);
        if (f != null) {
            used.put(identity, f);
        }
        return f;
    }

    void put(String identity, InitramfsFacts facts) {
        if (identity == null || (facts.state() != InitramfsFacts.State.PRESENT && facts.state() != InitramfsFacts.State.MISSING)) {
            return;
        }
        used.put(identity, facts);
        changed = true;
    }

    /** Keeps the entries of this run only, so the file never grows past the installed kernels. */
    void save(RootFiles files) {
        if (!changed && used.size() == loaded.size()) {
            return;
        }
        try {
            if (!files.isDirectory(DIR)) {
                return;
            }
            StringBuilder b = new StringBuilder();
            for (Map.Entry<String, InitramfsFacts> e : used.entrySet()) {
                InitramfsFacts f = e.getValue();
                b.append(e.getKey()).append('\t').append(f.state().name()).append('\t').append(field(f.format())).append('\t')
                        .append(field(f.vermagicRelease())).append('\t').append(field(f.version())).append('\t')
                        .append(field(f.detail())).append('\n');
            }
            Path target = files.resolve(FILE);
            Path tmp = target.resolveSibling("initramfs-scan.v1.tmp");
            Files.deleteIfExists(tmp);
            Files.write(tmp, b.toString().getBytes(StandardCharsets.UTF_8));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            // A cache that cannot be written (read-only root, not root) only costs time.
        }
    }

    private static String field(String s) {
        return s == null ? "" : s.replace('\t', ' ').replace('\n', ' ');
    }

    private static String orNull(String s) {
        return s.isEmpty() ? null : s;
    }
}
