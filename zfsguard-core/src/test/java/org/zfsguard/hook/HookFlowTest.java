package org.zfsguard.hook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.backup.BackupStore;
import org.zfsguard.state.EventJournal;
import org.zfsguard.state.StateDir;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.testing.FixtureSystem;
import org.zfsguard.testing.ModuleFixtures.Arch;

/**
 * The hooks end to end against fixture systems: the captured apt streams go in,
 * backups, the pending record, the banner and the journal come out.
 */
class HookFlowTest {
    static final String PKG = "linux-image-current-rockchip64";
    static final String OLD = "6.12.57-current-rockchip64";
    static final String NEW = "6.12.58-current-rockchip64";
    static final String EDGE = "6.19.6-edge-rockchip64";

    @TempDir
    Path dir;
    FixtureSystem fx;
    StringWriter out;

    @BeforeEach
    void board() {
        fx = new FixtureSystem(dir).arch(Arch.AARCH64);
        fx.kernel(OLD, PKG).armbianBootLinks(OLD)
                .meta("2.4.0", "1", "4.18", "6.18")
                .dkmsZfs(OLD, "2.4.0-1")
                .dkmsTree("2.4.0", OLD, "aarch64", true)
                .packageInstalled("zfs-dkms");
        fx.write("/usr/lib/linux-image-" + OLD + "/rockchip/rk3399-rockpro64.dtb", "dtb");
        try {
            fx.write("/usr/share/zfsguard/watch-list", Files.readString(Path.of("..", "debian-resources", "watch-list")));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    HookContext ctx(Map<String, String> env) {
        out = new StringWriter();
        return new HookContext(SystemRoot.at(dir), new PrintWriter(out, true), env);
    }

    static byte[] stream(String name) throws IOException {
        try (InputStream in = HookFlowTest.class.getResourceAsStream("/apt-streams/" + name)) {
            return in.readAllBytes();
        }
    }

    int preInstall(byte[] stream, Map<String, String> env) throws IOException {
        return PreInstallHook.run(ctx(env), new ByteArrayInputStream(stream));
    }

    BackupStore store() throws IOException {
        return BackupStore.open(SystemRoot.at(dir), StateDir.of(SystemRoot.at(dir)));
    }

    List<String> events() throws IOException {
        return EventJournal.of(StateDir.of(SystemRoot.at(dir))).read().stream()
                .map(o -> o.get("event").getAsString()).toList();
    }

    @Test
    void anUnrelatedPackageLeavesNoTrace() throws IOException {
        assertThat(preInstall(stream("03-unrelated-package.v3"), Map.of())).isZero();
        assertThat(out.toString()).isEmpty();
        assertThat(dir.resolve("var/lib/zfsguard/pending.json")).doesNotExist();
        assertThat(dir.resolve("var/lib/zfsguard/events.jsonl")).doesNotExist();
    }

    @Test
    void inPlaceUpgradeBacksUpTheOldKernelOnceAndTheVerdictNamesTheWayBack() throws IOException {
        assertThat(preInstall(stream("02-armbian-in-place-kernel-upgrade.v3"), Map.of())).isZero();
        assertThat(out.toString()).contains("kernel package change detected (" + PKG + " 25.11.1 -> 25.11.2)")
                .contains("backed up boot set of " + OLD).contains("sha256 verified");
        assertThat(store().list()).hasSize(1);
        assertThat(store().list().get(0).manifest().entries().stream().map(e -> e.path()))
                .contains("/lib/modules/" + OLD + "/updates/dkms/zfs.ko", "/boot/vmlinuz-" + OLD);
        assertThat(dir.resolve("var/lib/zfsguard/pending.json")).exists();

        // The same upgrade driven again in the same run (unattended-upgrades): one backup, not two.
        assertThat(preInstall(stream("02-armbian-in-place-kernel-upgrade.v3"), Map.of())).isZero();
        assertThat(out.toString()).contains("already backed up in this run");
        assertThat(store().list()).hasSize(1);

        // dpkg replaces the kernel in place; DKMS built nothing for the new one.
        fx.kernel(NEW, PKG).armbianBootLinks(NEW);
        deleteTree(dir.resolve("lib/modules/" + OLD));
        Files.delete(dir.resolve("boot/vmlinuz-" + OLD));

        assertThat(PostInvokeHook.run(ctx(Map.of()))).isZero();
        assertThat(out.toString()).contains("NOT SAFE TO REBOOT: next boot kernel " + NEW)
                // the board has no headers for the new kernel: install them first, then rebuild
                .contains("  next: sudo chroot " + dir + " apt install linux-headers-current-rockchip64, then sudo zfsguard --root "
                        + dir + " rebuild --kernel " + NEW)
                .contains("  or:   sudo zfsguard --root " + dir + " restore " + OLD + " --activate");
        assertThat(dir.resolve("var/lib/zfsguard/pending.json")).doesNotExist();
        assertThat(events()).contains("change-detected", "verdict");
    }

    @Test
    void deferredBuildPolicyNamesTheCommandWhereNoSystemdRuns() throws IOException {
        fx.write("/etc/zfsguard/zfsguard.conf", "build = deferred\n");
        preInstall(stream("02-armbian-in-place-kernel-upgrade.v3"), Map.of());
        fx.kernel(NEW, PKG).armbianBootLinks(NEW);
        assertThat(PostInvokeHook.run(ctx(Map.of()))).isZero();
        assertThat(out.toString()).contains("NOT SAFE TO REBOOT")
                .contains("build = deferred, but systemd is not running here").contains("next: sudo zfsguard --root " + dir + " rebuild");
    }

    @Test
    void theKernelHookSkipsWhatAptsHookAlreadyBackedUp() throws IOException {
        preInstall(stream("02-armbian-in-place-kernel-upgrade.v3"), Map.of());
        assertThat(KernelHooks.prerm(ctx(Map.of()), OLD)).isZero();
        assertThat(store().list()).hasSize(1);
    }

    @Test
    void plainDpkgIsCoveredByTheKernelHooks() throws IOException {
        assertThat(KernelHooks.prerm(ctx(Map.of()), OLD)).isZero();
        assertThat(out.toString()).contains("backed up boot set of " + OLD);
        assertThat(KernelHooks.postinst(ctx(Map.of()), NEW)).isZero();
        assertThat(store().list()).hasSize(1);
        assertThat(new PendingRecord(StateDir.of(SystemRoot.at(dir))).read().orElseThrow().kernelsInstalled)
                .containsExactly(NEW);
    }

    @Test
    void kernelHooksRefuseAnythingThatIsNotAKernelRelease() throws IOException {
        for (String bad : List.of("", "../../etc", "a b", "x\ny")) {
            assertThat(KernelHooks.prerm(ctx(Map.of()), bad)).isZero();
            assertThat(out.toString()).contains("not a kernel release");
        }
        assertThat(dir.resolve("var/lib/zfsguard/backups/sets")).doesNotExist();
    }

    @Test
    void aWarningThatTurnedOutSafeNeedsNoRemark() throws IOException {
        PendingChange p = new PendingChange();
        p.preflight = "WARN";
        p.predictedSafe = false;
        new PendingRecord(StateDir.of(SystemRoot.at(dir))).write(p);
        assertThat(PostInvokeHook.run(ctx(Map.of()))).isZero();
        assertThat(out.toString()).contains("SAFE TO REBOOT").doesNotContain("preflight").doesNotContain("WARN");
        com.google.gson.JsonObject verdict = EventJournal.of(StateDir.of(SystemRoot.at(dir))).read().stream()
                .filter(o -> o.get("event").getAsString().equals("verdict")).findFirst().orElseThrow();
        assertThat(verdict.get("overall").getAsString()).isEqualTo("SAFE");
        assertThat(verdict.get("build").getAsString()).isEqualTo("MANUAL");
        assertThat(verdict.get("next_boot").getAsString()).isEqualTo(OLD);
        assertThat(verdict.get("preflight").getAsString()).isEqualTo("WARN");
    }

    @Test
    void aVerdictWithoutANextBootKernelJournalsARealNull() throws IOException {
        Files.delete(dir.resolve("boot/Image"));
        Files.createSymbolicLink(dir.resolve("boot/Image"), Path.of("Image")); // a loop: no kernel boots next
        PendingChange p = new PendingChange();
        new PendingRecord(StateDir.of(SystemRoot.at(dir))).write(p);
        assertThat(PostInvokeHook.run(ctx(Map.of()))).isZero();
        com.google.gson.JsonObject verdict = EventJournal.of(StateDir.of(SystemRoot.at(dir))).read().stream()
                .filter(o -> o.get("event").getAsString().equals("verdict")).findFirst().orElseThrow();
        assertThat(verdict.has("next_boot")).isTrue();
        assertThat(verdict.get("next_boot").isJsonNull()).as(verdict.toString()).isTrue();
        assertThat(verdict.toString()).doesNotContain("(none)");
    }

    @Test
    void anOutcomeWorseThanThePreflightPredictedIsSaidInWords() throws IOException {
        PendingChange p = new PendingChange();
        p.preflight = "OK";
        p.predictedSafe = true;
        new PendingRecord(StateDir.of(SystemRoot.at(dir))).write(p);
        fx.kernel(NEW, PKG).armbianBootLinks(NEW);
        assertThat(PostInvokeHook.run(ctx(Map.of()))).isZero();
        assertThat(out.toString()).contains("NOT SAFE TO REBOOT")
                .contains("the preflight expected a safe next reboot, but the outcome is worse than it predicted");
    }

    @Test
    void aTriggerAloneStillGetsAVerdict() throws IOException {
        Files.createDirectories(dir.resolve("var/lib/zfsguard"));
        Files.writeString(dir.resolve("var/lib/zfsguard/pending.trigger"), "");
        assertThat(PostInvokeHook.run(ctx(Map.of()))).isZero();
        assertThat(out.toString()).contains("SAFE TO REBOOT: next boot kernel " + OLD);
        assertThat(dir.resolve("var/lib/zfsguard/pending.trigger")).doesNotExist();
    }

    @Test
    void withNothingPendingPostInvokeSaysNothing() throws IOException {
        assertThat(PostInvokeHook.run(ctx(Map.of()))).isZero();
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void garbageOnStdinIsReportedAndAptGoesOn() throws IOException {
        byte[] junk = "VERSION 3\n\u0000\u0001garbage\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(preInstall(junk, Map.of())).isZero();
        assertThat(out.toString()).contains("could not read apt's package list");
    }

    @Test
    void aBrokenConfigurationFallsBackToTheDefaults() throws IOException {
        fx.write("/etc/zfsguard/zfsguard.conf", "this is = not = valid\n\u0001\n");
        assertThat(preInstall(stream("02-armbian-in-place-kernel-upgrade.v3"), Map.of())).isZero();
        assertThat(out.toString()).contains("not usable, using the defaults").contains("backed up boot set of " + OLD);
    }

    @Test
    void theGateRefusesAKernelAboveWhatTheInstalledOpenZfsSupports() throws IOException, InterruptedException {
        Path deb = edgeKernelDeb();
        byte[] s = edgeStream(deb);
        assertThat(preInstall(s, Map.of())).isEqualTo(PreInstallHook.REFUSED);
        assertThat(out.toString()).contains("REFUSED").contains(EDGE).contains("ZFSGUARD_PREFLIGHT=warn");
        assertThat(dir.resolve("var/lib/zfsguard/pending.json")).doesNotExist();
        assertThat(events()).contains("preflight-refused");

        assertThat(preInstall(s, Map.of("ZFSGUARD_PREFLIGHT", "warn"))).isZero();
        assertThat(out.toString()).contains("preflight overridden for this run");
        assertThat(events()).contains("preflight-override");
    }

    @Test
    void byHandThePreflightTellsTheSameWithoutChangingAnything() throws IOException, InterruptedException {
        Path edge = edgeKernelDeb();
        assertThat(ManualPreflight.run(ctx(Map.of()), List.of(edge))).isEqualTo(ManualPreflight.WOULD_REFUSE);
        assertThat(out.toString()).contains("linux-image-edge-rockchip64 26.2.0, kernel " + EDGE)
                .contains("preflight: BLOCK");

        Path zfs = zfsDkmsDeb("2.4.1", "6.19");
        assertThat(ManualPreflight.run(ctx(Map.of()), List.of(edge, zfs))).isZero();
        assertThat(out.toString()).contains("OpenZFS 2.4.1 (Linux 4.18 to 6.19)").doesNotContain("BLOCK");
        assertThat(dir.resolve("var/lib/zfsguard/pending.json")).doesNotExist();

        Path junk = dir.resolve("junk.deb");
        Files.writeString(junk, "!<arch>\ntruncated");
        assertThat(ManualPreflight.run(ctx(Map.of()), List.of(junk))).isEqualTo(ManualPreflight.UNREADABLE);
        assertThat(out.toString()).contains("cannot read " + junk).contains("next: dpkg-deb --info " + junk);
    }

    private Path zfsDkmsDeb(String version, String max) throws IOException, InterruptedException {
        return build("zfs-dkms", version + "-1", "", "usr/src/zfs-" + version + "/META",
                "Meta: 1\nName: zfs\nVersion: " + version + "\nRelease: 1\nLinux-Maximum: " + max
                        + "\nLinux-Minimum: 4.18\n");
    }

    private Path edgeKernelDeb() throws IOException, InterruptedException {
        return build("linux-image-edge-rockchip64", "26.2.0", "Armbian-Kernel-Version: " + EDGE + "\n",
                "boot/vmlinuz-" + EDGE, "image");
    }

    private Path build(String pkg, String version, String extraFields, String file, String content)
            throws IOException, InterruptedException {
        Path tree = Files.createTempDirectory(dir.getParent(), pkg);
        Files.createDirectories(tree.resolve("DEBIAN"));
        Files.writeString(tree.resolve("DEBIAN/control"), "Package: " + pkg + "\nVersion: " + version + "\n"
                + "Architecture: all\nMaintainer: Test <test@zfsguard.org>\n" + extraFields
                + "Description: " + pkg + " stand-in\n");
        Path f = tree.resolve(file);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
        Path deb = dir.resolve("root/" + pkg + "_" + version + "_all.deb");
        Files.createDirectories(deb.getParent());
        Process p = new ProcessBuilder("dpkg-deb", "--root-owner-group", "--build", tree.toString(), deb.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        return deb;
    }

    private static byte[] edgeStream(Path deb) {
        String pkg = "linux-image-edge-rockchip64";
        return ("VERSION 3\nAPT::Architecture=arm64\n\n"
                + pkg + " - - none < 26.2.0 all none /root/" + deb.getFileName() + "\n"
                + pkg + " - - none < 26.2.0 all none **CONFIGURE**\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void deleteTree(Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
