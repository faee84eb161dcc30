package org.zfsguard.readiness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.kernel.NextBoot;
import org.zfsguard.kernel.RejectedEntry;
import org.zfsguard.kernel.RunningKernel;
import org.zfsguard.readiness.ReadinessReport.Overall;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.testing.FixtureSystem;
import org.zfsguard.testing.FixtureSystem.InitrdCompression;
import org.zfsguard.testing.ModuleFixtures.Arch;
import org.zfsguard.testing.ModuleFixtures.Compression;
import org.zfsguard.zfs.ZfsModules;

class ReadinessEngineTest {
    static final String OLD = "6.12.57-current-rockchip64";
    static final String NEW = "6.12.58-current-rockchip64";
    static final String ARMBIAN_PKG = "linux-image-current-rockchip64";
    static final List<String> TWO = List.of("zfs", "spl");

    @TempDir
    Path dir;

    FixtureSystem fx() {
        return new FixtureSystem(dir);
    }

    ReadinessReport evaluate() {
        return new ReadinessEngine(SystemRoot.at(dir)).evaluate();
    }

    ReadinessReport evaluateRunning(String running) {
        return new ReadinessEngine(SystemRoot.at(dir), new RunningKernel(KernelRelease.parse(running), "test")).evaluate();
    }

    static KernelReadiness row(ReadinessReport r, String k) {
        return r.kernels().stream().filter(x -> x.facts().release().text().equals(k)).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + k + " in " + r.kernels()));
    }

    /** Armbian board with ZFS from DKMS packed into uInitrd. */
    FixtureSystem healthyArmbian(String k) {
        FixtureSystem fx = fx().kernel(k, ARMBIAN_PKG).armbianBootLinks(k)
                .meta("2.3.4", "1", "4.18", "6.15")
                .dkmsZfs(k, "2.3.4-1")
                .dkmsTree("2.3.4", k, "aarch64", true)
                .packageInstalled("zfs-dkms").packageInstalled("zfs-initramfs");
        fx.initrd("/boot/initrd.img-" + k, k, InitrdCompression.ZSTD, false, "2.3.4-1", k);
        fx.uInitrd("/boot/uInitrd-" + k, FixtureSystem.initrdBytes(Arch.AARCH64, k, InitrdCompression.ZSTD, false, "2.3.4-1", k));
        return fx;
    }

    @Test
    void healthyArmbianBoardIsSafe() {
        healthyArmbian(NEW);
        ReadinessReport r = evaluate();
        assertThat(r.overall()).isEqualTo(Overall.SAFE);
        assertThat(r.nextBoot().rule()).isEqualTo(NextBoot.Rule.BOOT_IMAGE_LINK);
        assertThat(r.running().release()).isNull();
        assertThat(r.initramfsRequired()).isTrue();
        KernelReadiness k = row(r, NEW);
        assertThat(k.nextBoot()).isTrue();
        assertThat(k.verdict()).isEqualTo(Verdict.OK);
        assertThat(k.facts().zfs().path()).isEqualTo("/lib/modules/" + NEW + "/updates/dkms/zfs.ko");
        assertThat(k.facts().zfs().architecture()).isEqualTo("aarch64");
        assertThat(k.facts().installed().owner()).isEqualTo(ARMBIAN_PKG);
        assertThat(k.facts().dkmsInstalled()).isEqualTo("2.3.4");
        assertThat(k.facts().initramfs().file()).isEqualTo("/boot/uInitrd-" + NEW);
        assertThat(k.facts().initramfs().format()).isEqualTo("uImage+zstd+cpio");
        assertThat(k.facts().initramfs().state()).isEqualTo(InitramfsFacts.State.PRESENT);
    }

    @Test
    void armbianAfterInPlaceUpgradeIsNotSafe() {
        // The upgrade deleted the running kernel's tree except DKMS's files, and DKMS built nothing for the new one.
        FixtureSystem fx = fx().kernel(NEW, ARMBIAN_PKG).armbianBootLinks(NEW)
                .meta("2.3.4", "1", "4.18", "6.15")
                .zfsModules(OLD, "updates/dkms", "2.3.4-1", OLD, Compression.NONE, TWO)
                .dkmsTree("2.3.4", OLD, "aarch64", true)
                .packageInstalled("zfs-dkms").packageInstalled("zfs-initramfs");
        fx.uInitrd("/boot/uInitrd-" + NEW, FixtureSystem.initrdBytes(Arch.AARCH64, NEW, InitrdCompression.GZIP, false, null, null));
        ReadinessReport r = evaluateRunning(OLD);
        assertThat(r.overall()).isEqualTo(Overall.NOT_SAFE);
        KernelReadiness next = row(r, NEW);
        assertThat(next.nextBoot()).isTrue();
        assertThat(next.verdict()).isEqualTo(Verdict.MISSING);
        // rebuild refuses a kernel without headers: the step that works names the headers package first
        assertThat(next.judgement().next()).hasToString("sudo apt install linux-headers-current-rockchip64, then "
                + "sudo zfsguard rebuild --kernel " + NEW);
        fx.mkdir("/usr/src/linux-headers-" + NEW + "/include").symlink("/lib/modules/" + NEW + "/build", "/usr/src/linux-headers-" + NEW);
        assertThat(row(evaluateRunning(OLD), NEW).judgement().next()).hasToString("sudo zfsguard rebuild --kernel " + NEW);
        KernelReadiness running = row(r, OLD);
        assertThat(running.running()).isTrue();
        assertThat(running.facts().installed()).isNull();
        assertThat(running.judgement().reason()).contains("running kernel").contains("is gone");
        assertThat(r.rejected()).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("/lib/modules/" + OLD);
            assertThat(e.leftover()).isTrue();
            assertThat(e.reason()).contains("updates");
        });
        assertThat(r.overallReason()).contains(NEW).contains("MISSING");
    }

    @Test
    void debianWithThreeKernelsWhereOnlyTheOldestHasZfsIsTheWrongKernelBug() {
        FixtureSystem fx = fx().arch(Arch.X86_64);
        for (String k : List.of("6.1.0-9-amd64", "6.1.0-25-amd64", "6.1.0-56-amd64")) {
            fx.kernel(k, "linux-image-" + k);
        }
        fx.meta("2.1.11", "1", "3.10", "6.2").dkmsTree("2.1.11", "6.1.0-9-amd64", "x86_64", true)
                .zfsModules("6.1.0-9-amd64", "updates/dkms", "2.1.11-1", "6.1.0-9-amd64", Compression.NONE, ZfsModules.NINE)
                .packageInstalled("zfs-dkms").symlink("/vmlinuz", "boot/vmlinuz-6.1.0-56-amd64");
        ReadinessReport r = evaluateRunning("6.1.0-9-amd64");
        assertThat(r.kernels()).extracting(k -> k.facts().release().text())
                .containsExactly("6.1.0-56-amd64", "6.1.0-25-amd64", "6.1.0-9-amd64");
        assertThat(r.nextBoot().rule()).isEqualTo(NextBoot.Rule.VMLINUZ_LINK);
        assertThat(r.overall()).isEqualTo(Overall.NOT_SAFE);
        assertThat(row(r, "6.1.0-56-amd64").verdict()).isEqualTo(Verdict.MISSING);
        assertThat(row(r, "6.1.0-25-amd64").verdict()).isEqualTo(Verdict.MISSING);
        KernelReadiness oldest = row(r, "6.1.0-9-amd64");
        assertThat(oldest.running()).isTrue();
        assertThat(oldest.verdict()).isEqualTo(Verdict.OK);
        assertThat(oldest.facts().installed().owner()).isEqualTo("linux-image-6.1.0-9-amd64");
        assertThat(r.initramfsRequired()).isFalse();
        assertThat(oldest.facts().initramfs().state()).isEqualTo(InitramfsFacts.State.NOT_USED);
    }

    @Test
    void withoutABootLoaderToReadTheVerdictIsCannotTell() {
        FixtureSystem fx = fx().arch(Arch.X86_64);
        fx.kernel("6.1.0-9-amd64", null).kernel("6.1.0-10-amd64", null).packageInstalled("zfsutils-linux");
        ReadinessReport r = evaluate();
        assertThat(r.nextBoot().rule()).isEqualTo(NextBoot.Rule.NONE);
        assertThat(r.nextBoot().release()).isNull();
        assertThat(r.overall()).isEqualTo(ReadinessReport.Overall.UNKNOWN);
        assertThat(r.overallReason()).startsWith("cannot tell which kernel boots next: no /boot/grub/grub.cfg");
    }

    @Test
    void ubuntuKernelShippedZstdModuleIsOk() {
        String k = "6.8.0-45-generic";
        fx().arch(Arch.X86_64).kernel(k, "linux-image-" + k)
                .appendList("linux-modules-" + k, "/lib/modules/" + k + "\n/lib/modules/" + k + "/kernel/zfs/zfs.ko.zst\n")
                .zfsModules(k, "kernel/zfs", "2.2.2-0ubuntu9", k, Compression.ZSTD, TWO)
                .packageInstalled("zfsutils-linux").symlink("/boot/vmlinuz", "vmlinuz-" + k);
        ReadinessReport r = evaluate();
        KernelReadiness row = row(r, k);
        assertThat(row.verdict()).isEqualTo(Verdict.OK);
        assertThat(row.facts().zfs().path()).isEqualTo("/lib/modules/" + k + "/kernel/zfs/zfs.ko.zst");
        assertThat(row.facts().installed().owner()).isEqualTo("linux-image-" + k);
        assertThat(r.overall()).isEqualTo(Overall.SAFE);
    }

    @Test
    void openZfs21NeedsAllNineModules() {
        String k = "6.1.0-56-amd64";
        FixtureSystem fx = fx().arch(Arch.X86_64).kernel(k, null).meta("2.1.11", "1", "3.10", "6.2");
        fx.zfsModules(k, "updates/dkms", "2.1.11-1", k, Compression.XZ, ZfsModules.NINE);
        assertThat(row(evaluate(), k).verdict()).isEqualTo(Verdict.OK);
        fx.zfsModules(k, "updates/dkms", "2.1.11-1", k, Compression.NONE, List.of());
        try {
            Files.delete(fx.path("/lib/modules/" + k + "/updates/dkms/zlua.ko.xz"));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        KernelReadiness row = row(evaluate(), k);
        assertThat(row.verdict()).isEqualTo(Verdict.MISSING);
        assertThat(row.judgement().reason()).contains("zlua");
    }

    @Test
    void makeInstallLayoutUnderExtraIsFoundOneLevelDown() {
        String k = "6.1.0-56-amd64";
        FixtureSystem fx = fx().arch(Arch.X86_64).kernel(k, null).meta("2.1.11", "1", "3.10", "6.2");
        String[][] dirs = {{"zfs", "zfs"}, {"spl", "spl"}, {"icp", "icp"}, {"zavl", "avl"}, {"zcommon", "zcommon"},
            {"zlua", "lua"}, {"znvpair", "nvpair"}, {"zunicode", "unicode"}, {"zzstd", "zstd"}};
        for (String[] d : dirs) {
            fx.zfsModules(k, "extra/" + d[1], "2.1.11-1", k, Compression.NONE, List.of(d[0]));
        }
        KernelReadiness row = row(evaluate(), k);
        assertThat(row.verdict()).isEqualTo(Verdict.OK);
        assertThat(row.facts().zfs().path()).isEqualTo("/lib/modules/" + k + "/extra/zfs/zfs.ko");
    }

    @Test
    void dkmsUpdatesWinOverTheKernelsOwnModule() {
        String k = "6.8.0-45-generic";
        fx().arch(Arch.X86_64).kernel(k, null)
                .zfsModules(k, "kernel/zfs", "2.2.2-0ubuntu9", k, Compression.ZSTD, TWO)
                .zfsModules(k, "updates/dkms", "2.2.7-1", k, Compression.NONE, TWO);
        assertThat(row(evaluate(), k).facts().zfs().version()).isEqualTo("2.2.7-1");
    }

    @Test
    void openZfs22NeedsOnlyZfsAndSpl() {
        String k = "6.6.63-current-rockchip64";
        FixtureSystem fx = fx().kernel(k, null).meta("2.2.7", "1", "4.18", "6.12");
        fx.zfsModules(k, "updates/dkms", "2.2.7-1", k, Compression.GZIP, TWO);
        assertThat(row(evaluate(), k).verdict()).isEqualTo(Verdict.OK);
        fx.zfsModules(k, "updates/dkms", "2.2.7-1", k, Compression.NONE, List.of());
        try {
            Files.delete(fx.path("/lib/modules/" + k + "/updates/dkms/spl.ko.gz"));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertThat(row(evaluate(), k).judgement().reason()).contains("spl");
    }

    @Test
    void moduleBuiltForAnotherKernelIsStale() {
        fx().kernel(NEW, null).armbianBootLinks(NEW).meta("2.3.4", "1", "4.18", "6.15")
                .zfsModules(NEW, "updates/dkms", "2.3.4-1", OLD, Compression.NONE, TWO);
        ReadinessReport r = evaluate();
        assertThat(row(r, NEW).verdict()).isEqualTo(Verdict.STALE);
        assertThat(row(r, NEW).judgement().reason()).contains("built for " + OLD);
        assertThat(r.overall()).isEqualTo(Overall.NOT_SAFE);
    }

    @Test
    void moduleFromAnotherOpenZfsVersionIsStale() {
        fx().kernel(NEW, null).meta("2.3.4", "1", "4.18", "6.15")
                .zfsModules(NEW, "updates/dkms", "2.3.1-1", NEW, Compression.NONE, TWO);
        KernelReadiness row = row(evaluate(), NEW);
        assertThat(row.verdict()).isEqualTo(Verdict.STALE);
        assertThat(row.judgement().reason()).contains("2.3.1-1").contains("2.3.4");
    }

    @Test
    void kernelAboveLinuxMaximumIsUnsupported() {
        String k = "6.16.1-edge-rockchip64";
        fx().kernel(k, null).meta("2.3.4", "1", "4.18", "6.15").armbianBootLinks(k);
        ReadinessReport r = evaluate();
        assertThat(row(r, k).verdict()).isEqualTo(Verdict.UNSUPPORTED);
        assertThat(row(r, k).judgement().reason()).contains("6.15");
        assertThat(r.overall()).isEqualTo(Overall.NOT_SAFE);
    }

    @ParameterizedTest
    @EnumSource(value = InitrdCompression.class, names = {"GZIP", "XZ", "ZSTD"})
    void initrdWithoutZfsIsNotInInitramfs(InitrdCompression c) {
        String k = "6.1.0-56-amd64";
        FixtureSystem fx = fx().arch(Arch.X86_64).kernel(k, null).meta("2.1.11", "1", "3.10", "6.2")
                .zfsModules(k, "updates/dkms", "2.1.11-1", k, Compression.NONE, ZfsModules.NINE)
                .packageInstalled("zfs-initramfs");
        fx.initrd("/boot/initrd.img-" + k, k, c, true, null, null);
        KernelReadiness row = row(evaluate(), k);
        assertThat(row.verdict()).isEqualTo(Verdict.NOT_IN_INITRAMFS);
        assertThat(row.judgement().next()).hasToString("sudo update-initramfs -u -k " + k);
        fx.initrd("/boot/initrd.img-" + k, k, c, true, "2.1.11-1", k);
        row = row(evaluate(), k);
        assertThat(row.verdict()).isEqualTo(Verdict.OK);
        assertThat(row.facts().initramfs().format()).isEqualTo("cpio+" + c.name().toLowerCase() + "+cpio");
    }

    @Test
    void initrdHoldingAnOlderBuildIsNotInInitramfs() {
        String k = "6.1.0-56-amd64";
        FixtureSystem fx = fx().arch(Arch.X86_64).kernel(k, null).meta("2.2.7", "1", "3.10", "6.12")
                .zfsModules(k, "updates/dkms", "2.2.7-1", k, Compression.NONE, TWO).packageInstalled("zfs-initramfs");
        fx.initrd("/boot/initrd.img-" + k, k, InitrdCompression.GZIP, false, "2.2.6-1", k);
        assertThat(row(evaluate(), k).judgement().reason()).contains("2.2.6-1");
    }

    @Test
    void initrdThatAlreadyHoldsZfsMakesTheInitramfsMatterWithoutPackages() {
        String k = "6.1.0-56-amd64";
        FixtureSystem fx = fx().arch(Arch.X86_64).kernel(k, null).kernel("6.1.0-57-amd64", null)
                .meta("2.2.7", "1", "3.10", "6.12")
                .zfsModules(k, "updates/dkms", "2.2.7-1", k, Compression.NONE, TWO)
                .zfsModules("6.1.0-57-amd64", "updates/dkms", "2.2.7-1", "6.1.0-57-amd64", Compression.NONE, TWO);
        fx.initrd("/boot/initrd.img-" + k, k, InitrdCompression.GZIP, false, "2.2.7-1", k);
        fx.initrd("/boot/initrd.img-6.1.0-57-amd64", "6.1.0-57-amd64", InitrdCompression.GZIP, false, null, null);
        fx.symlink("/boot/vmlinuz", "vmlinuz-6.1.0-57-amd64");
        ReadinessReport r = evaluateRunning(k);
        assertThat(r.initramfsRequired()).isTrue();
        assertThat(r.initramfsReason()).contains(k);
        assertThat(row(r, "6.1.0-57-amd64").verdict()).isEqualTo(Verdict.NOT_IN_INITRAMFS);
        assertThat(r.overall()).isEqualTo(Overall.NOT_SAFE);
    }

    @Test
    void anUnreadableInitrdWithoutZfsPackagesIsCannotTellNotNoZfsKo() {
        String k = "6.1.0-56-amd64";
        fx().arch(Arch.X86_64).kernel(k, null).meta("2.2.7", "1", "3.10", "6.12")
                .zfsModules(k, "updates/dkms", "2.2.7-1", k, Compression.NONE, TWO)
                .write("/boot/initrd.img-" + k, "\u001f\u008bnot gzip at all");
        ReadinessReport r = evaluateRunning(k);
        assertThat(r.initramfsReason()).startsWith("cannot tell whether ZFS loads from the initramfs")
                .doesNotContain("has no zfs.ko");
        assertThat(row(r, k).verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(r.overall()).isEqualTo(Overall.UNKNOWN);
    }

    @Test
    void aModuleForAnotherMachineThanTheKernelsIsNotOk() {
        String k = "6.1.0-56-amd64";
        fx().arch(Arch.AARCH64).kernel(k, null).meta("2.2.7", "1", "3.10", "6.12")
                .zfsModules(k, "updates/dkms", "2.2.7-1", k, Compression.NONE, TWO)
                .write("/boot/config-" + k, "#\n# Linux/x86 6.1.158 Kernel Configuration\nCONFIG_64BIT=y\nCONFIG_X86_64=y\n");
        KernelReadiness row = row(evaluateRunning(k), k);
        assertThat(row.verdict()).isEqualTo(Verdict.STALE);
        assertThat(row.judgement().reason()).contains("built for aarch64", "runs on x86_64");
        assertThat(row.judgement().next().toString()).contains("rebuild");
    }

    @Test
    void aModuleForTheKernelsOwnMachineOrAKernelWithoutConfigIsJudgedAsBefore() {
        String k = "6.1.0-56-amd64";
        fx().arch(Arch.AARCH64).kernel(k, null).meta("2.2.7", "1", "3.10", "6.12")
                .zfsModules(k, "updates/dkms", "2.2.7-1", k, Compression.NONE, TWO)
                .write("/boot/config-" + k, "CONFIG_ARM64=y\n");
        assertThat(row(evaluateRunning(k), k).verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void noZfsAtAllIsSaidPlainly() {
        fx().kernel("6.1.0-56-amd64", null);
        ReadinessReport r = evaluate();
        assertThat(r.zfsInstalled()).isFalse();
        assertThat(r.overall()).isEqualTo(Overall.NO_ZFS);
    }

    @Test
    void emptyRootCannotTell() {
        fx().packageInstalled("zfs-dkms");
        ReadinessReport r = evaluate();
        assertThat(r.kernels()).isEmpty();
        assertThat(r.overall()).isEqualTo(Overall.UNKNOWN);
    }

    // ---- hostile input ----

    /** Replaces the whole module tree of a healthy board, keeping its images and boot links. */
    FixtureSystem healthyBoardWithoutModuleTree() throws Exception {
        FixtureSystem fx = healthyArmbian(NEW);
        try (var walk = Files.walk(fx.path("/lib/modules"))) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        return fx;
    }

    static void assertCannotTellFromModules(ReadinessReport r, String detail) {
        assertThat(r.overall()).isEqualTo(Overall.UNKNOWN);
        assertThat(r.overallReason()).contains("/lib/modules").contains(detail);
        KernelReadiness next = row(r, NEW);
        assertThat(next.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(next.judgement().reason()).startsWith("cannot read the module tree of " + NEW).contains(detail);
        assertThat(next.judgement().next().toString()).contains("/lib/modules");
        assertThat(VerdictSentence.of(r)).doesNotContain("MISSING").doesNotContain("\n");
    }

    @Test
    void moduleTreeInASymlinkLoopIsCannotTellNotMissing() throws Exception {
        healthyBoardWithoutModuleTree().symlink("/lib/modules", "/lib/modules.d").symlink("/lib/modules.d", "modules");
        ReadinessReport r = evaluate();
        assertCannotTellFromModules(r, "symlink loop");
        assertThat(r.rejected()).extracting(RejectedEntry::path).contains("/lib/modules");
    }

    @Test
    void moduleTreeThatIsAFileIsCannotTellNotMissing() throws Exception {
        healthyBoardWithoutModuleTree().write("/lib/modules", "not a directory");
        assertCannotTellFromModules(evaluate(), "not a directory");
    }

    @Test
    void moduleTreeLinkedToAFileIsCannotTell() throws Exception {
        healthyBoardWithoutModuleTree().write("/lib/modules.img", "x").symlink("/lib/modules", "/lib/modules.img");
        assertCannotTellFromModules(evaluate(), "not a directory");
    }

    @Test
    void withoutAnyOtherSignOfZfsAnUnreadableModuleTreeIsStillCannotTell() throws Exception {
        String k = "6.1.0-56-amd64";
        fx().arch(Arch.X86_64).write("/boot/vmlinuz-" + k, "image").symlink("/boot/vmlinuz", "vmlinuz-" + k)
                .symlink("/lib/modules", "modules");
        ReadinessReport r = evaluate();
        assertThat(r.overall()).isEqualTo(Overall.UNKNOWN);
        assertThat(r.overallReason()).isEqualTo("cannot read /lib/modules: symlink loop");
    }

    @Test
    void theRunningKernelUnderAnUnreadableTreeIsNotCalledGone() throws Exception {
        healthyBoardWithoutModuleTree().symlink("/lib/modules", "modules");
        ReadinessReport r = evaluateRunning(OLD);
        KernelReadiness running = row(r, OLD);
        assertThat(running.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(running.judgement().reason()).contains("symlink loop").doesNotContain("gone");
    }

    @Test
    void oneKernelDirectoryInALoopIsCannotTellWhileTheOtherIsJudged() throws Exception {
        FixtureSystem fx = healthyArmbian(OLD);
        healthyArmbian(NEW);
        fx.symlink("/lib/modules/" + NEW + ".real", NEW + ".loop").symlink("/lib/modules/" + NEW + ".loop", NEW + ".real");
        try (var walk = Files.walk(fx.path("/lib/modules/" + NEW))) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        fx.symlink("/lib/modules/" + NEW, "/lib/modules/" + NEW + ".real");
        ReadinessReport r = evaluate();
        assertThat(r.overall()).isEqualTo(Overall.UNKNOWN);
        KernelReadiness next = row(r, NEW);
        assertThat(next.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(next.judgement().reason()).contains("/lib/modules/" + NEW + ": symlink loop");
        assertThat(row(r, OLD).verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void aLoopInsideTheKernelDirectoryIsCannotTell() throws Exception {
        FixtureSystem fx = healthyArmbian(NEW);
        try (var walk = Files.walk(fx.path("/lib/modules/" + NEW + "/updates"))) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        fx.symlink("/lib/modules/" + NEW + "/updates", "updates");
        ReadinessReport r = evaluate();
        assertThat(r.overall()).isEqualTo(Overall.UNKNOWN);
        assertThat(row(r, NEW).judgement().reason()).contains("symlink loop");
    }


    @Test
    void hostileModuleTreeEntriesAreRejectedWithReasons(@TempDir Path outside) throws Exception {
        String k = "6.1.0-56-amd64";
        FixtureSystem fx = fx().arch(Arch.X86_64).kernel(k, null).dkmsZfs(k, "2.2.7-1").packageInstalled("zfs-dkms")
                .symlink("/boot/vmlinuz", "vmlinuz-" + k);
        // A real kernel tree outside the root, reachable only by following a host absolute link.
        new FixtureSystem(outside).arch(Arch.X86_64).kernel("6.1.0-5-amd64", null).dkmsZfs("6.1.0-5-amd64", "2.2.7-1");
        fx.symlink("/lib/modules/6.1.0-5-amd64", outside.resolve("lib/modules/6.1.0-5-amd64").toString());
        fx.symlink("/lib/modules/6.1.0-4-amd64", "../../../../../../../../" + outside.resolve("lib/modules/6.1.0-4-amd64"));
        fx.symlink("/lib/modules/6.1.0-7-amd64", "6.1.0-7-amd64");
        fx.write("/lib/modules/6.1.0-6-amd64", "a file, not a directory");
        fx.mkdir("/lib/modules/6.1.0-8\n-amd64/kernel");
        fx.mkdir("/lib/modules/6.1..0-amd64/kernel");
        fx.mkdir("/lib/modules/..etc/kernel");
        fx.symlink("/lib/modules/6.1.0-3-amd64", "../../etc");
        fx.mkdir("/etc");
        fx.write("/lib/modules/" + "6.1.0-" + "1".repeat(70), "x");
        ReadinessReport r = evaluate();
        assertThat(r.kernels()).extracting(x -> x.facts().release().text()).containsExactly(k);
        assertThat(r.rejected()).extracting(RejectedEntry::path, RejectedEntry::reason).contains(
                org.assertj.core.groups.Tuple.tuple("/lib/modules/6.1.0-5-amd64", "dangling symlink"),
                org.assertj.core.groups.Tuple.tuple("/lib/modules/6.1.0-4-amd64", "dangling symlink"),
                org.assertj.core.groups.Tuple.tuple("/lib/modules/6.1.0-7-amd64", "symlink loop"),
                org.assertj.core.groups.Tuple.tuple("/lib/modules/6.1.0-6-amd64", "not a directory"),
                org.assertj.core.groups.Tuple.tuple("/lib/modules/6.1.0-8\\x0a-amd64",
                        "not a kernel release: contains whitespace or a control character"),
                org.assertj.core.groups.Tuple.tuple("/lib/modules/6.1..0-amd64", "not a kernel release: contains '..'"),
                org.assertj.core.groups.Tuple.tuple("/lib/modules/..etc", "not a kernel release: contains '..'"));
        assertThat(r.rejected()).anySatisfy(e -> assertThat(e.reason()).contains("longer than 64"));
        assertThat(r.rejected()).anySatisfy(e -> {
            assertThat(e.path()).isEqualTo("/lib/modules/6.1.0-3-amd64");
            assertThat(e.leftover()).isTrue();
        });
        assertThat(r.overall()).isEqualTo(Overall.SAFE);
    }

    @Test
    void fileWhereTheModuleDirectoryBelongsIsUnknown() {
        String k = "6.1.0-56-amd64";
        fx().arch(Arch.X86_64).kernel(k, null).packageInstalled("zfs-dkms").write("/lib/modules/" + k + "/updates/dkms", "file");
        KernelReadiness row = row(evaluate(), k);
        assertThat(row.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(row.judgement().reason()).contains("is not a directory");
    }

    @Test
    void moduleDirectoryLinkedOutOfTheRootIsNotFollowed(@TempDir Path outside) {
        String k = "6.1.0-56-amd64";
        new FixtureSystem(outside).arch(Arch.X86_64).dkmsZfs(k, "2.2.7-1");
        fx().arch(Arch.X86_64).kernel(k, null).packageInstalled("zfs-dkms")
                .symlink("/lib/modules/" + k + "/updates", outside.resolve("lib/modules/" + k + "/updates").toString());
        assertThat(row(evaluate(), k).verdict()).isEqualTo(Verdict.MISSING);
    }

    @Test
    void truncatedElfIsUnknown() throws Exception {
        String k = "6.1.0-56-amd64";
        FixtureSystem fx = fx().arch(Arch.X86_64).kernel(k, null).dkmsZfs(k, "2.2.7-1");
        Path ko = fx.path("/lib/modules/" + k + "/updates/dkms/zfs.ko");
        byte[] b = Files.readAllBytes(ko);
        Files.write(ko, Arrays.copyOf(b, b.length / 3));
        KernelReadiness row = row(evaluate(), k);
        assertThat(row.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(row.judgement().reason()).contains("zfs.ko").contains("truncated");
    }

    @Test
    void xzModuleThatIsNotXzIsUnknown() {
        String k = "6.1.0-56-amd64";
        fx().arch(Arch.X86_64).kernel(k, null).write("/lib/modules/" + k + "/updates/dkms/zfs.ko.xz", "plain text")
                .write("/lib/modules/" + k + "/updates/dkms/spl.ko.xz", "plain text");
        KernelReadiness row = row(evaluate(), k);
        assertThat(row.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(row.judgement().reason()).contains("not a valid xz stream");
    }

    @Test
    void emptyInitrdIsUnknown() {
        String k = "6.1.0-56-amd64";
        fx().arch(Arch.X86_64).kernel(k, null).dkmsZfs(k, "2.2.7-1").packageInstalled("zfs-initramfs")
                .write("/boot/initrd.img-" + k, new byte[0]);
        ReadinessReport r = evaluate();
        assertThat(row(r, k).verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(row(r, k).judgement().reason()).contains("empty file");
        assertThat(r.overall()).isEqualTo(Overall.UNKNOWN);
    }

    @Test
    void garbageMetaIsUnknown() {
        String k = "6.1.0-56-amd64";
        fx().arch(Arch.X86_64).kernel(k, null).dkmsZfs(k, "2.2.7-1")
                .write("/usr/src/zfs-2.2.7/META", "Version: 2.2.7\nLinux-Maximum: six point twelve\n\u0000\u0001garbage");
        KernelReadiness row = row(evaluate(), k);
        assertThat(row.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(row.judgement().reason()).contains("not a valid META file");
    }

    @Test
    void bootImageLinkOutOfTheRootOrToNonsenseCannotTell() {
        fx().kernel(NEW, null).packageInstalled("zfs-dkms").symlink("/boot/Image", "../../../../etc/passwd");
        ReadinessReport r = evaluate();
        assertThat(r.nextBoot().release()).isNull();
        assertThat(r.overall()).isEqualTo(Overall.UNKNOWN);
        assertThat(r.overallReason()).contains("does not name a vmlinuz-");
    }
}
