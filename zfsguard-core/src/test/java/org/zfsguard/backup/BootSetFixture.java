package org.zfsguard.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A small but realistic Armbian boot set on disk: a modules tree with
 * subdirectories and DKMS modules, the build/source links, kernel, config,
 * System.map, initrd and uInitrd, a dtb directory, the linux-image DTBs and a
 * DKMS build record with its "installed" link.
 */
final class BootSetFixture {
    static final String K = "6.12.57-current-rockchip64";
    static final String ODD_NAME = "odd name %25 and\ttab.ko";

    private BootSetFixture() {
    }

    static void create(Path root, String k, long seed) throws IOException {
        Random r = new Random(seed);
        String mod = "/lib/modules/" + k;
        file(root, mod + "/kernel/drivers/net/ethernet/stmicro/stmmac/stmmac.ko", r, 48_000, "rw-r--r--");
        file(root, mod + "/kernel/drivers/net/ethernet/stmicro/stmmac/dwmac-rk.ko", r, 20_000, "rw-r--r--");
        file(root, mod + "/kernel/fs/ext4/ext4.ko", r, 90_000, "rw-r--r--");
        file(root, mod + "/kernel/fs/btrfs/btrfs.ko", r, 120_000, "rw-r--r--");
        file(root, mod + "/kernel/crypto/" + ODD_NAME, r, 1_000, "rw-r--r--");
        for (int i = 0; i < 12; i++) {
            file(root, mod + "/kernel/drivers/misc/m" + i + ".ko", r, 3_000 + i * 500, "rw-r--r--");
        }
        file(root, mod + "/updates/dkms/zfs.ko", r, 300_000, "rw-r--r--");
        file(root, mod + "/updates/dkms/spl.ko", r, 40_000, "rw-r--r--");
        text(root, mod + "/modules.order", "kernel/fs/ext4/ext4.ko\nupdates/dkms/zfs.ko\n");
        text(root, mod + "/modules.dep", "updates/dkms/zfs.ko: updates/dkms/spl.ko\n");
        // two modules with the same content: stored once
        Files.write(p(root, mod + "/kernel/drivers/misc/dup.ko"), Files.readAllBytes(p(root, mod + "/kernel/drivers/misc/m1.ko")));
        Files.createDirectories(p(root, mod + "/kernel/empty"));
        Files.setPosixFilePermissions(p(root, mod + "/kernel/empty"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(p(root, mod + "/build"), Path.of("/usr/src/linux-headers-" + k));
        Files.createSymbolicLink(p(root, mod + "/source"), Path.of("build"));

        file(root, "/boot/vmlinuz-" + k, r, 1_200_000, "rw-r--r--");
        text(root, "/boot/config-" + k, "CONFIG_ZFS=n\nCONFIG_MODULES=y\n");
        file(root, "/boot/System.map-" + k, r, 80_000, "rw-------");
        if (isRoot()) {
            // a file with another owner, so the round trip has an owner to get right
            Files.setAttribute(p(root, "/boot/System.map-" + k), "unix:uid", 123);
            Files.setAttribute(p(root, "/boot/System.map-" + k), "unix:gid", 45);
        }
        file(root, "/boot/initrd.img-" + k, r, 600_000, "rw-r--r--");
        file(root, "/boot/uInitrd-" + k, r, 600_064, "rw-r--r--");
        file(root, "/boot/dtb-" + k + "/rockchip/rk3399-rockpro64.dtb", r, 60_000, "rwxr-xr-x");
        file(root, "/boot/dtb-" + k + "/rockchip/overlay/rockchip-spi-spidev.dtbo", r, 900, "rwxr-xr-x");
        file(root, "/usr/lib/linux-image-" + k + "/rockchip/rk3399-rockpro64.dtb", r, 60_000, "rw-r--r--");
        file(root, "/var/lib/dkms/zfs/2.2.2/" + k + "/aarch64/module/zfs.ko", r, 300_000, "rw-r--r--");
        text(root, "/var/lib/dkms/zfs/2.2.2/" + k + "/aarch64/log/make.log", "make -j1 KERNELRELEASE=" + k + "\n");
        Files.createSymbolicLink(p(root, "/var/lib/dkms/zfs/kernel-" + k + "-aarch64"), Path.of("2.2.2/" + k + "/aarch64"));
        if (!Files.exists(p(root, "/var/lib/dkms/zfs/2.2.2/source"), LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(p(root, "/var/lib/dkms/zfs/2.2.2/source"), Path.of("/usr/src/zfs-2.2.2"));
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    static Path p(Path root, String absolute) {
        return root.resolve(absolute.substring(1));
    }

    static void file(Path root, String absolute, Random r, int size, String perms) throws IOException {
        byte[] b = new byte[size];
        r.nextBytes(b);
        Path f = p(root, absolute);
        Files.createDirectories(f.getParent());
        Files.write(f, b);
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString(perms));
    }

    static void text(Path root, String absolute, String content) throws IOException {
        Path f = p(root, absolute);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
    }

    /** Removes what dpkg removes when the kernel package is replaced (and DKMS its records). */
    static void deleteBootSet(Path root, String k) throws IOException {
        for (String item : BootSetLayout.fixedItems(k)) {
            BackupStore.deleteTree(p(root, item));
        }
        BackupStore.deleteTree(p(root, "/var/lib/dkms/zfs/2.2.2/" + k));
        Files.deleteIfExists(p(root, "/var/lib/dkms/zfs/kernel-" + k + "-aarch64"));
    }

    /**
     * Everything of the boot set of {@code k} under {@code root}: path -> type,
     * mode, owner, content hash or link target. Equal snapshots mean byte-identical trees.
     */
    static Map<String, String> snapshot(Path root, String k) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String item : BootSetLayout.fixedItems(k)) {
            walk(root, p(root, item), out);
        }
        walk(root, p(root, "/var/lib/dkms/zfs/2.2.2/" + k), out);
        walk(root, p(root, "/var/lib/dkms/zfs/kernel-" + k + "-aarch64"), out);
        return out;
    }

    private static void walk(Path root, Path top, Map<String, String> out) throws IOException {
        if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                out.put("/" + root.relativize(d), "d " + describe(d));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                String what;
                if (a.isSymbolicLink()) {
                    what = "l -> " + Files.readSymbolicLink(f);
                } else {
                    try (InputStream in = Files.newInputStream(f)) {
                        what = "f " + describe(f) + " " + Hashing.digest(in).sha256();
                    }
                }
                out.put("/" + root.relativize(f), what);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static String describe(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
        return String.format("%04o %s:%s", ((Integer) a.get("mode")) & 07777, a.get("uid"), a.get("gid"));
    }

    /** Sum of the sizes of every regular file under {@code dir}: what the store occupies. */
    static long storedBytes(Path dir) throws IOException {
        long[] sum = {0};
        if (!Files.exists(dir)) {
            return 0;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                sum[0] += a.isRegularFile() ? a.size() : 0;
                return FileVisitResult.CONTINUE;
            }
        });
        return sum[0];
    }

    /** Every entry under {@code top} (not following symlinks): type, mode and content digest, by relative path. */
    static Map<String, String> snapshotTree(Path top) throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        walk(top, top, out);
        return out;
    }
}
