package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * {@link DebPackage} on real packages from Debian's archive rather than on stand-ins:
 * zfs-dkms from bookworm contrib and bookworm-backports, and a 6.12 kernel headers package
 * from bookworm-backports, downloaded with apt in a chroot. What it reads must agree with
 * dpkg-deb's own view of the same files.
 */
class RealArchivesIT {

    private static final Pattern KERNEL_PATH = Pattern.compile(
            "^\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\./(?:usr/src/linux-headers-|(?:usr/)?lib/modules/)([^/\\s]+)/",
            Pattern.MULTILINE);
    private static final Pattern META_PATH = Pattern.compile("\\./usr/src/(zfs-[^/\\s]+)/META\\s*$", Pattern.MULTILINE);

    @Test
    void readsTheKernelReleaseAndOpenZfsMetaOfArchivePackagesAsDpkgDebDoes() throws Exception {
        HostRequirements.requireRoot();
        Path out = Files.createTempDirectory(Path.of("/var/tmp"), "zfsguard-real-debs-");
        try (Chroot c = Chroot.bookworm("amd64")) {
            c.write("/etc/apt/sources.list.d/zfsguard-test.list",
                    "deb " + Chroot.MIRROR + " bookworm contrib\n"
                            + "deb " + Chroot.MIRROR + " bookworm-backports main contrib\n", "rw-r--r--");
            c.runOk("apt-get", "update", "-q");
            String headers = c.runOk("apt-cache", "search", "--names-only", "^linux-headers-6\\.12\\..*-amd64$")
                    .stdout().lines().map(l -> l.split(" ", 2)[0]).sorted().reduce((a, b) -> b)
                    .orElseThrow(() -> new AssertionError("no linux-headers-6.12*-amd64 in bookworm-backports"));
            c.runOk("mkdir", "-p", "/root/dl");
            c.runOk("env", "-C", "/root/dl", "apt-get", "download", "-q", "zfs-dkms/bookworm", "zfs-dkms/bookworm-backports",
                    headers);
            List<Path> debs;
            try (Stream<Path> s = Files.list(c.hostPath("/root/dl"))) {
                debs = s.filter(p -> p.toString().endsWith(".deb")).sorted().toList();
            }
            assertThat(debs).as("downloaded packages").hasSize(3);
            for (Path d : debs) {
                Files.copy(d, out.resolve(d.getFileName()));
            }
        }
        try {
            int metas = 0;
            int kernels = 0;
            try (Stream<Path> s = Files.list(out)) {
                for (Path deb : s.sorted().toList()) {
                    DebPackage read = DebPackage.read(deb, deb.getFileName().toString(), DebLimits.DEFAULT,
                            DebPackage.Scope.COMPLETE);
                    assertThat(read.control().packageName()).isEqualTo(field(deb, "Package"));
                    assertThat(read.control().version()).isEqualTo(field(deb, "Version"));
                    String contents = dpkgDeb("--contents", deb.toString());

                    Set<String> releases = new TreeSet<>();
                    Matcher k = KERNEL_PATH.matcher(contents);
                    while (k.find()) {
                        releases.add(k.group(1));
                    }
                    assertThat(read.kernels().stream().map(IncomingKernel::release).toList())
                            .as(deb.getFileName() + ": kernel releases").containsExactlyInAnyOrderElementsOf(releases);
                    if (!releases.isEmpty()) {
                        kernels++;
                        String release = releases.iterator().next();
                        Path x = Files.createTempDirectory(out, "x-");
                        dpkgDeb("-x", deb.toString(), x.toString());
                        Path uts = x.resolve("usr/src/linux-headers-" + release + "/include/generated/utsrelease.h");
                        assertThat(Files.readString(uts)).as("utsrelease.h of " + deb.getFileName())
                                .contains("\"" + release + "\"");
                    }

                    Matcher m = META_PATH.matcher(contents);
                    if (m.find()) {
                        metas++;
                        Path x = Files.createTempDirectory(out, "x-");
                        dpkgDeb("-x", deb.toString(), x.toString());
                        String meta = Files.readString(x.resolve("usr/src/" + m.group(1) + "/META"));
                        assertThat(read.zfsSource()).as(deb.getFileName() + ": META").hasValueSatisfying(z -> {
                            assertThat(z.version()).isEqualTo(metaField(meta, "Version"));
                            assertThat(z.linuxMaximum()).hasToString(metaField(meta, "Linux-Maximum"));
                            assertThat(z.linuxMinimum()).hasToString(metaField(meta, "Linux-Minimum"));
                        });
                    } else {
                        assertThat(read.zfsSource()).as(deb.getFileName() + ": no META").isEmpty();
                    }
                }
            }
            assertThat(metas).as("packages with an OpenZFS META").isEqualTo(2);
            assertThat(kernels).as("packages with a kernel release").isEqualTo(1);
        } finally {
            Exec.host(Duration.ofMinutes(2), "rm", "-rf", "--one-file-system", out.toString()).orFail();
        }
    }

    private static String field(Path deb, String name) {
        return dpkgDeb("--field", deb.toString(), name).strip();
    }

    private static String dpkgDeb(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "dpkg-deb";
        System.arraycopy(args, 0, cmd, 1, args.length);
        return Exec.host(Duration.ofMinutes(5), cmd).orFail().stdout();
    }

    private static String metaField(String meta, String name) {
        return meta.lines().filter(l -> l.startsWith(name + ":")).map(l -> l.substring(name.length() + 1).strip())
                .findFirst().orElseThrow(() -> new AssertionError("META has no " + name + ":\n" + meta));
    }
}
