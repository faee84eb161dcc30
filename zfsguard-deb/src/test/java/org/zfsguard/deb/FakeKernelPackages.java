package org.zfsguard.deb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.zfsguard.testing.FixtureSystem;
import org.zfsguard.testing.ModuleFixtures;

/**
 * FAKE packages for the chroot scenarios: small stand-ins, built with the real
 * {@code dpkg-deb --build --root-owner-group}, for Armbian's kernel packages, OpenZFS's
 * {@code zfs-dkms} and an unrelated package. They are not the real packages: the kernel
 * image is a text file, the only kernel module is a tiny ELF object with a real
 * {@code .modinfo} ({@link ModuleFixtures}), and the fake zfs-dkms ships nothing but its
 * META file and builds nothing. What they do copy faithfully is what zfsguard reacts to:
 * package names, Armbian's {@code Version}/{@code Armbian-Kernel-Version}/{@code Source}
 * fields, the installed paths, and Armbian's maintainer scripts (run-parts over
 * {@code /etc/kernel/<script>.d} with the release and image path, then {@code /boot/.next}
 * and the {@code /boot/Image} link), all {@code Architecture: all} so that they install in
 * an amd64 chroot.
 *
 * <p>Packages are built once per JVM into a temporary directory and reused.
 */
final class FakeKernelPackages {

    static final String CURRENT_IMAGE = "linux-image-current-rockchip64";
    static final String EDGE_IMAGE = "linux-image-edge-rockchip64";
    static final String CURRENT_HEADERS = "linux-headers-current-rockchip64";
    static final String UNRELATED = "sysstat-standin";

    static final String OLD_VERSION = "25.11.1";
    static final String NEW_VERSION = "25.11.2";
    static final String EDGE_VERSION = "25.11.2";
    static final String OLD_K = "6.12.57-current-rockchip64";
    static final String NEW_K = "6.12.58-current-rockchip64";
    static final String EDGE_K = "6.19.6-edge-rockchip64";

    /** The fake OpenZFS builds: 2.4.0 supports up to 6.18, 2.4.1 up to 6.19, as upstream's META says. */
    static final String ZFS_OLD = "2.4.0";
    static final String ZFS_NEW = "2.4.1";

    /** Where the scenarios copy the packages inside a chroot. */
    static final String CHROOT_DIR = "/root/debs";

    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();
    private static Path workDir;

    private FakeKernelPackages() {
    }

    // ---- the packages ---------------------------------------------------------------------

    /** FAKE {@code linux-image-current-rockchip64} of Armbian release {@code version} for kernel {@code k}. */
    static Path currentImage(String version, String k) {
        return image(CURRENT_IMAGE, version, k);
    }

    /** FAKE {@code linux-image-edge-rockchip64} 25.11.2 with kernel 6.19.6, above what OpenZFS 2.4.0 supports. */
    static Path edgeImage() {
        return image(EDGE_IMAGE, EDGE_VERSION, EDGE_K);
    }

    /** FAKE {@code linux-headers-current-rockchip64}: the headers tree with utsrelease.h and the build link. */
    static Path currentHeaders(String version, String k) {
        return headers(CURRENT_HEADERS, version, k);
    }

    /** FAKE {@code linux-headers-edge-rockchip64} for {@link #EDGE_K}. */
    static Path edgeHeaders() {
        return headers("linux-headers-edge-rockchip64", EDGE_VERSION, EDGE_K);
    }

    private static Path headers(String pkg, String version, String k) {
        return build(pkg, version, () -> {
            Map<String, byte[]> files = new LinkedHashMap<>();
            String src = "/usr/src/linux-headers-" + k;
            files.put(src + "/include/generated/utsrelease.h", text("#define UTS_RELEASE \"" + k + "\"\n"));
            files.put(src + "/Makefile", text("# fake headers tree for " + k + "\n"));
            files.put(src + "/.config", text("CONFIG_MODULES=y\n"));
            Map<String, String> links = Map.of("/lib/modules/" + k + "/build", src);
            return new Contents(control(pkg, version, k, "Linux kernel headers for " + k + " (fake)"),
                    files, links, Map.of());
        });
    }

    /**
     * FAKE {@code linux-dtb-<branch>-rockchip64}: {@code /boot/dtb-<k>/} with one device tree,
     * and Armbian's postinst pointing {@code /boot/dtb} at it.
     */
    static Path dtb(String branch, String version, String k) {
        String pkg = "linux-dtb-" + branch + "-rockchip64";
        return build(pkg, version, () -> {
            Map<String, byte[]> files = Map.of("/boot/dtb-" + k + "/rockchip/rk3399-rockpro64.dtb",
                    new byte[] {(byte) 0xd0, 0x0d, (byte) 0xfe, (byte) 0xed});
            String postinst = "#!/bin/sh\nset -e\n# FAKE: Armbian-like dtb postinst for tests.\n"
                    + "cd /boot && ln -sfT dtb-" + k + " dtb\nexit 0\n";
            return new Contents(control(pkg, version, k, "Armbian Linux DTB " + k + " (fake)"), files, Map.of(),
                    Map.of("postinst", postinst));
        });
    }

    /** FAKE {@code zfs-dkms}: only {@code /usr/src/zfs-<v>/META}; its scripts build nothing. */
    static Path zfsDkms(String zfsVersion) {
        String max = switch (zfsVersion) {
            case ZFS_OLD -> "6.18";
            case ZFS_NEW -> "6.19";
            default -> throw new IllegalArgumentException("no fake zfs-dkms " + zfsVersion);
        };
        return build("zfs-dkms", zfsVersion + "-1", () -> {
            String meta = "Meta:          1\nName:          zfs\nBranch:        1.0\nVersion:       " + zfsVersion
                    + "\nRelease:       1\nRelease-Tags:  relext\nLicense:       CDDL\nAuthor:        OpenZFS\n"
                    + "Linux-Maximum: " + max + "\nLinux-Minimum: 4.18\n";
            String control = "Package: zfs-dkms\nVersion: " + zfsVersion + "-1\nArchitecture: all\n"
                    + "Maintainer: zfsguard tests <tests@zfsguard.invalid>\nSection: contrib/kernel\nPriority: optional\n"
                    + "Description: OpenZFS kernel modules source (fake stand-in for tests)\n"
                    + " Ships the META file only; builds nothing.\n";
            return new Contents(control, Map.of("/usr/src/zfs-" + zfsVersion + "/META", text(meta)), Map.of(), Map.of());
        });
    }

    /** The Debian revision of {@link #zfsDkmsThatBuilds}, apart from {@link #zfsDkms}'s so both can be built in one run. */
    static final String BUILDING_DKMS_REVISION = "-2";

    /**
     * FAKE {@code zfs-dkms} whose postinst stands in for "dkms autoinstall": for every kernel
     * whose headers are installed ({@code /lib/modules/<k>/build}) it either "builds" (copies
     * modules the package carries, real aarch64 ELF with vermagic {@code k} and version
     * {@code <v>-1}, into {@code updates/dkms/} and the DKMS tree) or, for a kernel not in
     * {@code buildsFor}, reports a failed build and leaves no module, as a DKMS build that
     * fails does. It never fails the install.
     */
    static Path zfsDkmsThatBuilds(String zfsVersion, String... buildsFor) {
        String max = switch (zfsVersion) {
            case ZFS_OLD -> "6.18";
            case ZFS_NEW -> "6.19";
            default -> throw new IllegalArgumentException("no fake zfs-dkms " + zfsVersion);
        };
        String version = zfsVersion + "-1";
        String debVersion = zfsVersion + BUILDING_DKMS_REVISION;
        String prebuilt = "/usr/share/zfs-dkms-fake/";
        return build("zfs-dkms", debVersion, () -> {
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put("/usr/src/zfs-" + zfsVersion + "/META", text("Meta:          1\nName:          zfs\n"
                    + "Branch:        1.0\nVersion:       " + zfsVersion + "\nRelease:       1\nRelease-Tags:  relext\n"
                    + "License:       CDDL\nAuthor:        OpenZFS\nLinux-Maximum: " + max + "\nLinux-Minimum: 4.18\n"));
            for (String k : buildsFor) {
                for (String m : List.of("zfs", "spl")) {
                    files.put(prebuilt + k + "/" + m + ".ko", FixtureSystem.module(ModuleFixtures.Arch.AARCH64, m, version, k));
                }
            }
            String control = "Package: zfs-dkms\nVersion: " + debVersion + "\nArchitecture: all\n"
                    + "Maintainer: zfsguard tests <tests@zfsguard.invalid>\nSection: contrib/kernel\nPriority: optional\n"
                    + "Description: OpenZFS kernel modules source (fake stand-in for tests)\n"
                    + " Ships META and prebuilt modules; its postinst stands in for dkms autoinstall.\n";
            String postinst = """
                    #!/bin/sh
                    # FAKE stand-in for zfs-dkms's "dkms autoinstall": copies prebuilt modules.
                    set -e
                    [ "$1" = configure ] || exit 0
                    v=%s
                    for build in /lib/modules/*/build; do
                        [ -d "$build" ] || continue
                        k=${build%%/build}; k=${k##*/}
                        if [ ! -d %s"$k" ]; then
                            echo "Error! Bad return status for module build on kernel: $k (aarch64)" >&2
                            echo "Consult /var/lib/dkms/zfs/$v/build/make.log for more information." >&2
                            continue
                        fi
                        mkdir -p /lib/modules/"$k"/updates/dkms /var/lib/dkms/zfs/"$v"/"$k"/aarch64/module
                        cp %s"$k"/zfs.ko %s"$k"/spl.ko /lib/modules/"$k"/updates/dkms/
                        cp %s"$k"/zfs.ko %s"$k"/spl.ko /var/lib/dkms/zfs/"$v"/"$k"/aarch64/module/
                        printf 'updates/dkms/zfs.ko: updates/dkms/spl.ko\\nupdates/dkms/spl.ko:\\n' >>/lib/modules/"$k"/modules.dep
                        ln -sfn /usr/src/zfs-"$v" /var/lib/dkms/zfs/"$v"/source
                        ln -sfn "$v/$k/aarch64" /var/lib/dkms/zfs/kernel-"$k"-aarch64
                        echo "zfs/$v: built and installed for $k (fake)"
                    done
                    exit 0
                    """.formatted(zfsVersion, prebuilt, prebuilt, prebuilt, prebuilt, prebuilt);
            return new Contents(control, files, Map.of(), Map.of("postinst", postinst));
        });
    }

    /** FAKE unrelated package: one documentation file, no scripts. */
    static Path unrelated() {
        return unrelated("1.0");
    }

    /** The same FAKE unrelated package at {@code version}, for an upgrade apt finds. */
    static Path unrelated(String version) {
        return build(UNRELATED, version, () -> {
            String control = "Package: " + UNRELATED + "\nVersion: " + version + "\nArchitecture: all\n"
                    + "Maintainer: zfsguard tests <tests@zfsguard.invalid>\nSection: admin\nPriority: optional\n"
                    + "Description: unrelated package (fake stand-in for tests)\n Has nothing to do with kernels.\n";
            return new Contents(control, Map.of("/usr/share/doc/" + UNRELATED + "/README", text("nothing to see\n")),
                    Map.of(), Map.of());
        });
    }

    /** The file name dpkg-deb gave {@code pkg} and the path it has under {@link #CHROOT_DIR}. */
    static String chrootPath(Path deb) {
        return CHROOT_DIR + "/" + deb.getFileName();
    }

    /** Copies {@code debs} into the chroot and answers their paths there. */
    static List<String> copyIn(Chroot c, Path... debs) {
        return java.util.Arrays.stream(debs).map(d -> {
            c.copyIn(d, chrootPath(d));
            return chrootPath(d);
        }).toList();
    }

    // ---- the DKMS stand-in ------------------------------------------------------------------

    /** The ELF machine directory DKMS uses on the chroot's architecture (amd64 only here). */
    static final String DKMS_MACHINE = "x86_64";

    /** The exact bytes of the stand-in zfs.ko for {@code k}: what a backup must have kept. */
    static byte[] zfsModule(String k, String zfsVersion) {
        return FixtureSystem.module(ModuleFixtures.Arch.X86_64, "zfs", zfsVersion + "-1", k);
    }

    /**
     * FAKE DKMS result for kernel {@code k}, as {@code dkms install zfs/<v> -k <k>} leaves it:
     * zfs.ko and spl.ko (real ELF, vermagic {@code k}, version {@code <v>-1}) under
     * {@code /lib/modules/<k>/updates/dkms/} and listed in modules.dep, the DKMS tree with the
     * built modules, the installed link {@code kernel-<k>-<machine>} and the source link; plus
     * {@code /etc/kernel/prerm.d/dkms}, a stand-in that deletes the kernel's DKMS modules as
     * the real one does when the kernel package is removed or upgraded.
     */
    static void dkmsBuilt(Chroot c, String k, String zfsVersion) {
        String version = zfsVersion + "-1";
        FixtureSystem fs = new FixtureSystem(c.root()).arch(ModuleFixtures.Arch.X86_64);
        String dir = "/usr/lib/modules/" + k + "/updates/dkms/";
        fs.write(dir + "zfs.ko", FixtureSystem.module(ModuleFixtures.Arch.X86_64, "zfs", version, k));
        fs.write(dir + "spl.ko", FixtureSystem.module(ModuleFixtures.Arch.X86_64, "spl", version, k));
        try {
            Path dep = c.hostPath("/usr/lib/modules/" + k + "/modules.dep");
            String old = Files.exists(dep) ? Files.readString(dep) : "";
            Files.writeString(dep, old + "updates/dkms/zfs.ko: updates/dkms/spl.ko\nupdates/dkms/spl.ko:\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        fs.dkmsTree(zfsVersion, k, DKMS_MACHINE, true);
        // dkmsTree writes modules with its own version string; make the tree match the installed ones.
        String module = "/var/lib/dkms/zfs/" + zfsVersion + "/" + k + "/" + DKMS_MACHINE + "/module/";
        fs.write(module + "zfs.ko", FixtureSystem.module(ModuleFixtures.Arch.X86_64, "zfs", version, k));
        fs.write(module + "spl.ko", FixtureSystem.module(ModuleFixtures.Arch.X86_64, "spl", version, k));
        c.write("/etc/kernel/prerm.d/dkms", """
                #!/bin/sh
                # FAKE stand-in for DKMS's kernel prerm hook: removes the DKMS modules of the
                # kernel being removed, with their build, as "dkms remove ... -k $1" does.
                inst_kern=$1
                [ -n "$inst_kern" ] || exit 0
                echo "dkms: removing: zfs/%s ($inst_kern)" >&2
                rm -f /lib/modules/"$inst_kern"/updates/dkms/zfs.ko* /lib/modules/"$inst_kern"/updates/dkms/spl.ko*
                rm -f /var/lib/dkms/zfs/kernel-"$inst_kern"-%s
                rm -rf /var/lib/dkms/zfs/*/"$inst_kern"
                exit 0
                """.formatted(zfsVersion, DKMS_MACHINE), "rwxr-xr-x");
    }

    // ---- building ---------------------------------------------------------------------------

    /** What goes into one package: control text, files, symbolic links, maintainer scripts. */
    private record Contents(String control, Map<String, byte[]> files, Map<String, String> links,
            Map<String, String> scripts) {
    }

    private interface Recipe {
        Contents contents();
    }

    private static Path image(String pkg, String version, String k) {
        return build(pkg, version, () -> {
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put("/boot/vmlinuz-" + k, text("fake kernel image " + k + " (" + pkg + " " + version + ")\n"));
            files.put("/boot/config-" + k, text("CONFIG_MODULES=y\nCONFIG_LOCALVERSION=\"" + k + "\"\n"));
            files.put("/boot/System.map-" + k, text("ffffffc008000000 T _text\n"));
            String mods = "/lib/modules/" + k + "/";
            files.put(mods + "modules.dep", text("kernel/drivers/dummy.ko:\n"));
            files.put(mods + "modules.order", text("kernel/drivers/dummy.ko\n"));
            Map<String, String> info = new LinkedHashMap<>();
            info.put("license", "GPL");
            info.put("description", "fake dummy driver");
            info.put("name", "dummy");
            info.put("vermagic", k + " SMP preempt mod_unload aarch64");
            files.put(mods + "kernel/drivers/dummy.ko", ModuleFixtures.module(ModuleFixtures.Arch.X86_64, info));
            files.put("/usr/lib/linux-image-" + k + "/dummy.dtb", new byte[] {(byte) 0xd0, 0x0d, (byte) 0xfe, (byte) 0xed});
            Map<String, String> scripts = new LinkedHashMap<>();
            for (String s : List.of("preinst", "postinst", "prerm", "postrm")) {
                scripts.put(s, armbianScript(s, k));
            }
            return new Contents(control(pkg, version, k, "Armbian Linux " + k + " kernel image (fake)"), files, Map.of(),
                    scripts);
        });
    }

    private static String control(String pkg, String version, String k, String description) {
        String kernelVersion = k.substring(0, k.indexOf('-'));
        return "Package: " + pkg + "\nVersion: " + version + "\nArchitecture: all\n"
                + "Maintainer: zfsguard tests <tests@zfsguard.invalid>\nSection: kernel\nPriority: optional\n"
                + "Source: linux-" + kernelVersion + "\n"
                + "Armbian-Kernel-Version: " + kernelVersion + "\n"
                // As Armbian's kernel-debs.sh writes them: the version alone, then the whole release.
                + "Armbian-Kernel-Version-Family: " + k + "\n"
                + "Armbian-Original-Hash: 0000000000000000000000000000000000000000\n"
                + "Description: " + description + "\n This is a stand-in for tests, not a kernel.\n";
    }

    /** Armbian's generated kernel maintainer script, reduced to what matters. */
    private static String armbianScript(String script, String k) {
        String tail = script.equals("postinst")
                ? "touch /boot/.next\nif [ -f \"/boot/vmlinuz-" + k + "\" ]; then ln -sf \"vmlinuz-" + k
                        + "\" /boot/Image; fi\n"
                : "";
        return "#!/bin/sh\nset -e\n# FAKE: Armbian-like kernel " + script + " for tests.\n"
                + "export DEB_MAINT_PARAMS=\"$*\"\n"
                + "if [ -d /etc/kernel/" + script + ".d ]; then\n"
                + "    echo \"Armbian 'linux-image' for '" + k + "': '" + script + "' hook\"\n"
                + "    run-parts --report --exit-on-error --arg=" + k + " --arg=/boot/vmlinuz-" + k
                + " /etc/kernel/" + script + ".d\nfi\n" + tail + "exit 0\n";
    }

    private static synchronized Path build(String pkg, String version, Recipe recipe) {
        String key = pkg + "_" + version;
        Path done = BUILT.get(key);
        if (done != null) {
            return done;
        }
        try {
            Path stage = Files.createTempDirectory(dir(), "stage-");
            Contents c = recipe.contents();
            Path debian = stage.resolve("DEBIAN");
            Files.createDirectories(debian);
            Files.writeString(debian.resolve("control"), c.control(), StandardCharsets.UTF_8);
            for (var s : c.scripts().entrySet()) {
                Path p = debian.resolve(s.getKey());
                Files.writeString(p, s.getValue(), StandardCharsets.UTF_8);
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            for (var f : c.files().entrySet()) {
                Path p = stage.resolve(f.getKey().substring(1));
                Files.createDirectories(p.getParent());
                Files.write(p, f.getValue());
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
            }
            for (var l : c.links().entrySet()) {
                Path p = stage.resolve(l.getKey().substring(1));
                Files.createDirectories(p.getParent());
                Files.createSymbolicLink(p, Path.of(l.getValue()));
            }
            Exec.host(Duration.ofMinutes(2), "chmod", "-R", "go-w", stage.toString()).orFail();
            Path deb = dir().resolve(key + "_all.deb");
            Exec.host(Duration.ofMinutes(2), "dpkg-deb", "--build", "--root-owner-group", "-Zxz", stage.toString(),
                    deb.toString()).orFail();
            Exec.host(Duration.ofMinutes(2), "rm", "-rf", "--one-file-system", stage.toString()).orFail();
            BUILT.put(key, deb);
            return deb;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the fake package " + key, e);
        }
    }

    private static Path dir() throws IOException {
        if (workDir == null) {
            Path d = Files.createTempDirectory(Path.of("/var/tmp"), "zfsguard-fake-debs-");
            Runtime.getRuntime().addShutdownHook(new Thread(() ->
                    Exec.host(Duration.ofMinutes(1), "rm", "-rf", "--one-file-system", d.toString()), "fake-debs-cleanup"));
            workDir = d;
        }
        return workDir;
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
