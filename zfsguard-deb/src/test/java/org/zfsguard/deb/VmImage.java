package org.zfsguard.deb;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The amd64 Debian 12 disk image the VM rig boots: debootstrapped on the host, with systemd,
 * linux-image-amd64, GRUB (grub-pc-bin, installed to the disk on the first boot), a real
 * zfs-dkms built by DKMS for the image's kernel through a chroot on the host (native speed),
 * a serial console with root logged in, and a unit that prints {@code booted <uname -r>},
 * {@code zfs loaded <version>} and {@code pool imported tank} at every boot. The backports
 * kernel and what it needs are downloaded on the host into {@code /var/cache/zfsguard-vm}
 * so that the VM installs it without a network. The first boot (QEMU's direct kernel boot)
 * installs GRUB to the disk, creates the pool on the second disk and powers off; the two
 * disks are then kept as qcow2 files under ~/.cache/zfsguard-test/, keyed by the recipe
 * and rebuilt when older than 14 days. Scenarios boot copy-on-write overlays of them.
 */
final class VmImage {
    static final int RECIPE_VERSION = 1;
    static final Duration MAX_AGE = Duration.ofDays(14);
    static final String POOL = "tank";
    static final List<String> PACKAGES = List.of("linux-image-amd64", "linux-headers-amd64", "zfs-dkms", "zfsutils-linux",
            "grub-pc-bin", "grub2-common", "default-jre-headless", "ca-certificates");
    static final String BACKPORTS_KERNEL = "linux-image-amd64";
    static final List<String> GUEST_FILES = List.of("zfsguard-vm-report", "zfsguard-vm-report.service",
            "zfsguard-vm-provision", "zfsguard-vm-provision.service", "grub", "autologin.conf");
    private static final long DISK_BYTES = 6L << 30;
    private static final long POOL_BYTES = 1L << 30;
    private static final long PARTITION_OFFSET = 1L << 20;
    private static final String FS_UUID = "5a1e0f5e-2f0e-4d6a-9c1b-7a6b2f1d0c11";

    /** The cached disks and the kernels in them. */
    record Disks(Path root, Path pool, String kernel, String backportsKernel) {

        /** Copy-on-write overlays of both disks in {@code dir}. */
        List<Path> overlays(Path dir) {
            List<Path> out = new ArrayList<>();
            for (Path base : List.of(root, pool)) {
                Path o = dir.resolve("overlay-" + base.getFileName());
                Exec.host(Duration.ofMinutes(2), "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", base.toString(),
                        o.toString()).orFail();
                out.add(o);
            }
            return out;
        }
    }

    private VmImage() {
    }

    static String recipe() {
        StringBuilder b = new StringBuilder("recipe=" + RECIPE_VERSION + "\nmirror=" + Chroot.MIRROR + "\npackages="
                + String.join(",", PACKAGES) + "\n");
        for (String f : GUEST_FILES) {
            b.append("--- ").append(f).append('\n').append(resource(f));
        }
        return b.toString();
    }

    static String key() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(recipe().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The cached disks, built now when missing or older than 14 days. */
    static Disks disks() {
        Path dir = Chroot.cacheDir().resolve("vm-bookworm-amd64-" + key());
        Path info = dir.resolve("image.properties");
        try {
            Files.createDirectories(Chroot.cacheDir());
            try (FileChannel ch = FileChannel.open(Chroot.cacheDir().resolve(dir.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = ch.lock()) {
                boolean fresh = Files.isRegularFile(info) && Duration.between(Files.getLastModifiedTime(info).toInstant(),
                        Instant.now()).compareTo(MAX_AGE) < 0;
                if (!fresh) {
                    build(dir);
                }
                Properties p = new Properties();
                try (InputStream in = Files.newInputStream(info)) {
                    p.load(in);
                }
                return new Disks(dir.resolve("root.qcow2"), dir.resolve("pool.qcow2"), p.getProperty("kernel"),
                        p.getProperty("backportsKernel"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the VM image in " + dir, e);
        }
    }

    private static void build(Path dir) throws IOException {
        long started = System.nanoTime();
        Exec.host(Duration.ofMinutes(2), "rm", "-rf", dir.toString()).orFail();
        Path work = Files.createDirectories(Path.of("/var/tmp", "zfsguard-vm-build-" + ProcessHandle.current().pid()));
        Path root = work.resolve("root");
        List<String> mounts = new ArrayList<>();
        try {
            run(Duration.ofMinutes(60), work, "debootstrap", "--variant=minbase", "--components=main,contrib",
                    "--include=systemd-sysv,udev,kmod,e2fsprogs,procps,initramfs-tools,zstd", "bookworm", root.toString(),
                    Chroot.MIRROR);
            write(root, "/etc/apt/sources.list", "deb " + Chroot.MIRROR + " bookworm main contrib\n"
                    + "deb " + Chroot.MIRROR + " bookworm-backports main\n", "rw-r--r--");
            write(root, "/usr/sbin/policy-rc.d", "#!/bin/sh\nexit 101\n", "rwxr-xr-x");
            write(root, "/etc/initramfs-tools/conf.d/zfsguard-vm", "MODULES=list\n", "rw-r--r--");
            write(root, "/etc/initramfs-tools/modules", "virtio_pci\nvirtio_blk\next4\ncrc32c_generic\n", "rw-r--r--");
            write(root, "/etc/hostname", "zfsguard-vm\n", "rw-r--r--");
            write(root, "/etc/fstab", "UUID=" + FS_UUID + " / ext4 errors=remount-ro 0 1\n", "rw-r--r--");
            write(root, "/etc/default/grub", resource("grub"), "rw-r--r--");
            write(root, "/etc/sysctl.d/10-zfsguard-vm.conf", "kernel.printk = 3 4 1 3\n", "rw-r--r--");
            write(root, "/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf", resource("autologin.conf"), "rw-r--r--");
            write(root, "/usr/local/sbin/zfsguard-vm-report", resource("zfsguard-vm-report"), "rwxr-xr-x");
            write(root, "/usr/local/sbin/zfsguard-vm-provision", resource("zfsguard-vm-provision"), "rwxr-xr-x");
            write(root, "/etc/systemd/system/zfsguard-vm-report.service", resource("zfsguard-vm-report.service"), "rw-r--r--");
            write(root, "/etc/systemd/system/zfsguard-vm-provision.service", resource("zfsguard-vm-provision.service"), "rw-r--r--");
            for (String unit : List.of("zfsguard-vm-report.service", "zfsguard-vm-provision.service")) {
                Path link = root.resolve("etc/systemd/system/multi-user.target.wants/" + unit);
                Files.createDirectories(link.getParent());
                Files.createSymbolicLink(link, Path.of("/etc/systemd/system/" + unit));
            }
            Path getty = root.resolve("etc/systemd/system/getty.target.wants/serial-getty@ttyS0.service");
            Files.createDirectories(getty.getParent());
            Files.createSymbolicLink(getty, Path.of("/lib/systemd/system/serial-getty@.service"));
            // root without a password: the console logs in by itself, and nothing else listens
            run(Duration.ofMinutes(1), work, "chroot", root.toString(), "passwd", "-d", "root");
            for (String[] m : new String[][] {{"proc", "proc", "-t"}, {"sysfs", "sys", "-t"}, {"/dev", "dev", "--bind"},
                    {"devpts", "dev/pts", "-t"}}) {
                Path at = root.resolve(m[1]);
                Files.createDirectories(at);
                if (m[2].equals("--bind")) {
                    run(Duration.ofMinutes(1), work, "mount", "--bind", m[0], at.toString());
                } else {
                    run(Duration.ofMinutes(1), work, "mount", "-t", m[0], m[0], at.toString());
                }
                mounts.add(0, at.toString());
            }
            chroot(root, work, Duration.ofMinutes(20), "apt-get", "update");
            List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "--no-install-recommends"));
            install.addAll(PACKAGES);
            chroot(root, work, Duration.ofMinutes(90), install.toArray(String[]::new));
            String kernel = onlyKernel(root);
            if (!Files.isRegularFile(root.resolve("lib/modules/" + kernel + "/updates/dkms/zfs.ko"))) {
                chroot(root, work, Duration.ofMinutes(60), "dkms", "autoinstall", "-k", kernel);
            }
            if (!Files.isRegularFile(root.resolve("lib/modules/" + kernel + "/updates/dkms/zfs.ko"))) {
                throw new AssertionError("DKMS built no zfs.ko for " + kernel + " in the image");
            }
            // The backports kernel and what it needs, for the VM to install offline; its headers stay
            // out, so DKMS cannot build ZFS for it: the kernel without ZFS of the scenarios.
            chroot(root, work, Duration.ofMinutes(20), "apt-get", "install", "-y", "--no-install-recommends",
                    "--download-only", "-t", "bookworm-backports", BACKPORTS_KERNEL);
            Path extra = Files.createDirectories(root.resolve("var/cache/zfsguard-vm"));
            String backports = null;
            try (DirectoryStream<Path> debs = Files.newDirectoryStream(root.resolve("var/cache/apt/archives"), "*.deb")) {
                for (Path deb : debs) {
                    Files.move(deb, extra.resolve(deb.getFileName()));
                    String name = deb.getFileName().toString();
                    if (name.startsWith("linux-image-") && name.contains("bpo") && !name.startsWith("linux-image-amd64")) {
                        backports = name.substring("linux-image-".length(), name.indexOf('_'));
                    }
                }
            }
            if (backports == null) {
                throw new AssertionError("no backports kernel package was downloaded into " + extra);
            }
            chroot(root, work, Duration.ofMinutes(5), "apt-get", "clean");
            Files.delete(root.resolve("usr/sbin/policy-rc.d"));
            for (String m : List.copyOf(mounts)) {
                run(Duration.ofMinutes(1), work, "umount", "-l", m);
                mounts.remove(m);
            }
            Files.createDirectories(dir);
            Path raw = work.resolve("root.raw");
            makeDisk(raw, root, work);
            Path pool = work.resolve("pool.raw");
            try (FileChannel ch = FileChannel.open(pool, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.truncate(0);
                ch.position(POOL_BYTES - 1).write(ByteBuffer.wrap(new byte[1]));
            }
            Path boot = root.resolve("boot");
            List<String> kernelBoot = List.of(boot.resolve("vmlinuz-" + kernel).toString(),
                    boot.resolve("initrd.img-" + kernel).toString(),
                    "root=UUID=" + FS_UUID + " rw console=ttyS0,115200n8 loglevel=3");
            try (Qemu vm = Qemu.start(work.resolve("provision"), List.of(raw, pool), kernelBoot)) {
                vm.waitFor(Pattern.compile("provisioned ok"), Duration.ofMinutes(25));
                vm.waitForExit(Duration.ofMinutes(5));
            }
            run(Duration.ofMinutes(20), work, "qemu-img", "convert", "-O", "qcow2", raw.toString(),
                    dir.resolve("root.qcow2").toString());
            run(Duration.ofMinutes(10), work, "qemu-img", "convert", "-O", "qcow2", pool.toString(),
                    dir.resolve("pool.qcow2").toString());
            Properties p = new Properties();
            p.setProperty("kernel", kernel);
            p.setProperty("backportsKernel", backports);
            p.setProperty("buildSeconds", String.valueOf(Duration.ofNanos(System.nanoTime() - started).toSeconds()));
            try (var out = Files.newOutputStream(dir.resolve("image.properties.tmp"))) {
                p.store(out, "zfsguard VM rig image");
            }
            Files.writeString(dir.resolve("recipe.txt"), recipe());
            Files.move(dir.resolve("image.properties.tmp"), dir.resolve("image.properties"));
        } finally {
            for (String m : mounts) {
                Exec.host(Duration.ofMinutes(1), "umount", "-l", m);
            }
            Exec.host(Duration.ofMinutes(5), "rm", "-rf", "--one-file-system", work.toString());
        }
    }

    /** The single kernel release under /lib/modules of the image. */
    private static String onlyKernel(Path root) throws IOException {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(root.resolve("lib/modules"))) {
            for (Path p : s) {
                if (Files.isRegularFile(root.resolve("boot/vmlinuz-" + p.getFileName()))) {
                    found.add(p.getFileName().toString());
                }
            }
        }
        if (found.size() != 1) {
            throw new AssertionError("expected one kernel in the image, found " + found);
        }
        return found.get(0);
    }

    /** A raw disk: an MBR with one bootable Linux partition at 1 MiB holding an ext4 made from {@code root}. */
    private static void makeDisk(Path raw, Path root, Path work) throws IOException {
        long sectors = (DISK_BYTES - PARTITION_OFFSET) / 512;
        ByteBuffer mbr = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        mbr.position(446);
        mbr.put((byte) 0x80).put(new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0xff}).put((byte) 0x83)
                .put(new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0xff}).putInt((int) (PARTITION_OFFSET / 512)).putInt((int) sectors);
        mbr.position(510);
        mbr.put((byte) 0x55).put((byte) 0xaa);
        mbr.flip();
        try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(mbr, 0);
            ch.position(DISK_BYTES - 1).write(ByteBuffer.wrap(new byte[1]));
        }
        run(Duration.ofMinutes(30), work, "mke2fs", "-q", "-F", "-t", "ext4", "-U", FS_UUID, "-L", "root", "-d", root.toString(),
                "-E", "offset=" + PARTITION_OFFSET, raw.toString(), (sectors / 2) + "k");
    }

    static String resource(String name) {
        try (InputStream in = VmImage.class.getResourceAsStream("/vm/" + name)) {
            if (in == null) {
                throw new AssertionError("missing test resource vm/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path root, String absolute, String content, String mode) throws IOException {
        Path p = root.resolve(absolute.substring(1));
        Files.createDirectories(p.getParent());
        Files.writeString(p, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    }

    private static void chroot(Path root, Path work, Duration timeout, String... command) {
        List<String> cmd = new ArrayList<>(List.of("chroot", root.toString()));
        cmd.addAll(List.of(command));
        run(timeout, work, cmd.toArray(String[]::new));
    }

    private static void run(Duration timeout, Path work, String... command) {
        Map<String, String> env = Exec.baseEnvironment();
        Exec.run(List.of(command), env, timeout, work.resolve("scratch")).orFail();
    }
}
