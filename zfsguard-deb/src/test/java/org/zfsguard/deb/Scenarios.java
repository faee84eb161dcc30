package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** Steps and observations shared by the hook scenarios in a chroot. */
final class Scenarios {

    static final String STATE = "/var/lib/zfsguard";
    static final String JOURNAL = STATE + "/events.jsonl";
    static final String PENDING = STATE + "/pending.json";
    static final String PENDING_TRIGGER = STATE + "/pending.trigger";
    static final String JAR = "/usr/share/zfsguard/zfsguard.jar";
    static final String CONFIG = "/etc/zfsguard/zfsguard.conf";
    static final String APT_HOOK = "/usr/lib/zfsguard/apt-pre-install";
    static final String APT_CONF = "/etc/apt/apt.conf.d/80zfsguard";
    static final String KERNEL_PRERM = "/etc/kernel/prerm.d/05zfsguard";

    /**
     * A line of {@code zfsguard backups} whose state column says the set is whole: "valid" as
     * first specified, "complete" as the store prints it today.
     */
    static final String GOOD_BACKUP = ".*\\s(valid|complete)\\s*$";

    private Scenarios() {
    }

    /** A drop-in that keeps the boot guard to reporting (boot_guard = warn). */
    static final String REPORT_ONLY = "/etc/zfsguard/zfsguard.conf.d/50-report-only.conf";

    /**
     * Installs the built zfsguard package the documented way, with the boot guard
     * reporting only: these suites test what zfsguard says and backs up while the
     * boot target stays where the kernel package put it. {@link BootGuardIT} tests
     * the default, which moves it.
     */
    static void installZfsguard(Chroot c, BuiltPackage pkg) {
        installZfsguardHolding(c, pkg);
        c.write(REPORT_ONLY, "boot_guard = warn\n", "rw-r--r--");
    }

    /** Installs the built zfsguard package with its defaults: the boot guard holds the boot target. */
    static void installZfsguardHolding(Chroot c, BuiltPackage pkg) {
        c.copyIn(pkg.deb(), pkg.chrootPath());
        c.runOk("apt-get", "install", "-y", pkg.chrootPath());
    }

    /**
     * The board before the upgrade: FAKE zfs-dkms 2.4.0 and Armbian kernel 25.11.1
     * (6.12.57) installed with real apt, then ZFS "built" for 6.12.57 by the DKMS stand-in.
     */
    static void armbianWithZfs(Chroot c) {
        List<String> debs = FakeKernelPackages.copyIn(c, FakeKernelPackages.zfsDkms(FakeKernelPackages.ZFS_OLD),
                FakeKernelPackages.currentImage(FakeKernelPackages.OLD_VERSION, FakeKernelPackages.OLD_K));
        List<String> cmd = new ArrayList<>(List.of("apt-get", "install", "-y"));
        cmd.addAll(debs);
        c.runOk(cmd.toArray(String[]::new));
        FakeKernelPackages.dkmsBuilt(c, FakeKernelPackages.OLD_K, FakeKernelPackages.ZFS_OLD);
        // FAKE: what armbian-bsp-cli installs, by which tools tell an Armbian system.
        c.write("/etc/armbian-release", "# FAKE for tests\nBOARD=rockpro64\nBOARD_NAME=\"RockPro64\"\n"
                + "BOARDFAMILY=rockchip64\nLINUXFAMILY=rockchip64\nBRANCH=current\nARCH=arm64\nVERSION=25.11.1\n"
                + "IMAGE_TYPE=stable\n", "rw-r--r--");
        assertThat(c.hostPath("/boot/Image")).isSymbolicLink();
        assertThat(readLink(c, "/boot/Image")).isEqualTo("vmlinuz-" + FakeKernelPackages.OLD_K);
    }

    /** Path of the FAKE 25.11.2 upgrade inside the chroot (copied in). */
    static String upgradeDeb(Chroot c) {
        return FakeKernelPackages.copyIn(c, FakeKernelPackages.currentImage(FakeKernelPackages.NEW_VERSION,
                FakeKernelPackages.NEW_K)).get(0);
    }

    /** Path of the FAKE 25.11.1 package inside the chroot (copied in). */
    static String oldDeb(Chroot c) {
        return FakeKernelPackages.copyIn(c, FakeKernelPackages.currentImage(FakeKernelPackages.OLD_VERSION,
                FakeKernelPackages.OLD_K)).get(0);
    }

    /** apt's or dpkg's whole output, for text assertions (hooks may write to either stream). */
    static String output(Exec.Result r) {
        return r.stdout() + "\n" + r.stderr();
    }

    static String readLink(Chroot c, String path) {
        try {
            return Files.readSymbolicLink(c.hostPath(path)).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String journal(Chroot c) {
        Path j = c.hostPath(JOURNAL);
        try {
            return Files.isRegularFile(j) ? Files.readString(j, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The journal's lines, each checked to be one JSON object with an "event" field. */
    static List<JsonObject> journalEvents(Chroot c) {
        List<JsonObject> events = new ArrayList<>();
        for (String line : journal(c).lines().toList()) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            assertThat(o.has("event")).as("journal line has an event field: " + line).isTrue();
            events.add(o);
        }
        return events;
    }

    /** Path and SHA-256 of every regular file and link under {@code dir}: to prove "nothing changed". */
    static SortedMap<String, String> tree(Chroot c, String dir) {
        SortedMap<String, String> entries = new TreeMap<>();
        Path root = c.hostPath(dir);
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return entries;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String name = dir + "/" + root.relativize(p);
                if (Files.isSymbolicLink(p)) {
                    entries.put(name, "-> " + Files.readSymbolicLink(p));
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    entries.put(name, sha256(Files.readAllBytes(p)));
                } else {
                    entries.put(name, "dir");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    /** Files under {@code dir} whose bytes are exactly {@code content}. */
    static List<String> filesWithContent(Chroot c, String dir, byte[] content) {
        String wanted = sha256(content);
        return tree(c, dir).entrySet().stream().filter(e -> e.getValue().equals(wanted)).map(Map.Entry::getKey).toList();
    }

    /** Text files under {@code dir} (not modules) that mention {@code needle}: manifests, checksum lists. */
    static List<String> textFilesMentioning(Chroot c, String dir, String needle) {
        List<String> found = new ArrayList<>();
        for (String path : tree(c, dir).keySet()) {
            Path p = c.hostPath(path);
            try {
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || path.contains(".ko") || Files.size(p) > 4_000_000) {
                    continue;
                }
                String s = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
                if (s.contains(needle)) {
                    found.add(path);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return found;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bytes(Chroot c, String path) {
        try {
            return Files.readAllBytes(c.hostPath(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code zfsguard backups}: exit 0, and the lines naming {@code kernel}. */
    static List<String> backupLines(Chroot c, String kernel) {
        return backups(c).stdout().lines().filter(l -> l.contains(kernel)).toList();
    }

    /** {@code zfsguard backups}, which must exit 0. */
    static Exec.Result backups(Chroot c) {
        Exec.Result r = c.run("zfsguard", "backups");
        assertThat(r.exitCode()).as(r.describe()).isZero();
        return r;
    }

    /** {@code zfsguard status --json}, parsed. */
    static JsonObject statusJson(Chroot c) {
        Exec.Result r = c.run("zfsguard", "status", "--json");
        assertThat(r.exitCode()).as(r.describe()).isIn(0, 1);
        return JsonParser.parseString(r.stdout()).getAsJsonObject();
    }

    static JsonObject kernelIn(JsonObject status, String kernel) {
        for (JsonElement e : status.getAsJsonArray("kernels")) {
            if (e.getAsJsonObject().get("kernel").getAsString().equals(kernel)) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError("kernel " + kernel + " not in zfsguard status --json:\n" + status);
    }

    /** Runs the apt pre-install hook with {@code streamFile} (inside the chroot) on its standard input. */
    static Exec.Result aptHookWithStream(Chroot c, String streamFile, String... env) {
        List<String> cmd = new ArrayList<>(List.of("env"));
        cmd.addAll(List.of(env));
        // A fixed script; the file name is passed as an argument, never spliced into it.
        cmd.addAll(List.of("sh", "-c", "exec \"$0\" <\"$1\"", APT_HOOK, streamFile));
        return c.run(cmd.toArray(String[]::new));
    }
}
