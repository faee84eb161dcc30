package org.zfsguard.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.zfsguard.apt.ChangeSet;
import org.zfsguard.apt.HookStream;
import org.zfsguard.apt.WatchList;
import org.zfsguard.config.Config.PreflightMode;
import org.zfsguard.deb.ControlFields;
import org.zfsguard.deb.DebPackage;
import org.zfsguard.deb.IncomingKernel;
import org.zfsguard.zfs.OpenZfsMeta;
import org.zfsguard.preflight.Finding.Severity;
import org.zfsguard.preflight.InstalledState.NextBootPolicy;
import org.zfsguard.preflight.PreflightDecision.Verdict;
import org.zfsguard.kernel.KernelSeries;

class PreflightDecisionTest {
    static final String OLD = "6.12.57-current-rockchip64";
    static final String NEW = "6.12.58-current-rockchip64";
    static final String TOO_NEW = "6.19.2-current-rockchip64";
    static final String IMAGE = "linux-image-current-rockchip64";
    static final String HEADERS = "linux-headers-current-rockchip64";
    static final String DTB = "linux-dtb-current-rockchip64";

    static final OpenZfsMeta ZFS_2_4_0 = meta("2.4.0", 4, 18, 6, 18);
    static final OpenZfsMeta ZFS_2_4_1 = meta("2.4.1", 4, 18, 6, 19);
    static final OpenZfsMeta ZFS_2_1_11 = meta("2.1.11", 3, 10, 6, 2);

    static OpenZfsMeta meta(String v, int minMaj, int minMin, int maxMaj, int maxMin) {
        return new OpenZfsMeta(v, "1", new KernelSeries(minMaj, minMin), new KernelSeries(maxMaj, maxMin));
    }

    static WatchList watchList() {
        try {
            return WatchList.parse(Files.readString(Path.of("..", "debian-resources", "watch-list")), "watch-list");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static ChangeSet captured(String name) {
        try (InputStream in = PreflightDecisionTest.class.getResourceAsStream("/apt-streams/" + name)) {
            return ChangeSet.of(HookStream.parse(in), watchList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static ChangeSet lines(String... actionLines) {
        try {
            String text = "VERSION 3\nAPT::Architecture=arm64\n\n" + String.join("\n", actionLines) + "\n";
            return ChangeSet.of(HookStream.parse(text.getBytes(StandardCharsets.UTF_8)), watchList());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String upgrade(String pkg, String from, String to) {
        return pkg + " " + from + " arm64 none < " + to + " arm64 none /var/cache/apt/archives/" + pkg + "_" + to + "_arm64.deb";
    }

    static String install(String pkg, String to) {
        return pkg + " - - none < " + to + " arm64 none /var/cache/apt/archives/" + pkg + "_" + to + "_arm64.deb";
    }

    static String remove(String pkg, String from) {
        return pkg + " " + from + " arm64 none > - - none **REMOVE**";
    }

    static DebPackage kernelDeb(String pkg, String version, String release) {
        return new DebPackage(new ControlFields(pkg, version, "arm64", Optional.empty(), Optional.of(release), Map.of()),
                List.of(new IncomingKernel(release, true, true, false)), Optional.empty(), false);
    }

    static DebPackage headersDeb(String pkg, String version, String release) {
        return new DebPackage(new ControlFields(pkg, version, "arm64", Optional.empty(), Optional.empty(), Map.of()),
                List.of(new IncomingKernel(release, false, false, true)), Optional.empty(), false);
    }

    static DebPackage zfsDeb(String version, OpenZfsMeta meta) {
        return new DebPackage(new ControlFields("zfs-dkms", version, "all", Optional.of("zfs-linux"), Optional.empty(), Map.of()),
                List.of(), Optional.of(meta), false);
    }

    /** An Armbian board running OLD with ZFS built and headers installed. */
    static InstalledState armbian(OpenZfsMeta zfs) {
        return new InstalledState(List.of(new KernelSummary(OLD, Optional.of(IMAGE), true, true, true)),
                Optional.of(zfs), Optional.of(OLD), NextBootPolicy.LAST_INSTALLED);
    }

    static final class Case {
        InstalledState state;
        ChangeSet changes;
        Map<String, DebPackage> debs = new HashMap<>();
        PreflightMode mode = PreflightMode.BLOCK;
        Optional<String> env = Optional.empty();
        Optional<String> args = Optional.of("upgrade");

        Case(InstalledState state, ChangeSet changes) {
            this.state = state;
            this.changes = changes;
        }

        Case deb(DebPackage p) {
            debs.put(p.control().packageName(), p);
            return this;
        }

        PreflightDecision decide() {
            return PreflightDecision.decide(new PreflightInput(state, changes, debs, mode, env, args));
        }
    }

    static List<String> reasons(PreflightDecision d, Severity s) {
        return d.findings().stream().filter(f -> f.severity() == s).map(Finding::reason).toList();
    }

    static List<String> commands(PreflightDecision d) {
        return d.findings().stream().flatMap(f -> f.commands().stream()).toList();
    }

    // ---- OK ----

    @Test
    void unrelatedPackageIsSilentlyOk() {
        PreflightDecision d = new Case(armbian(ZFS_2_4_0), captured("03-unrelated-package.v3")).decide();
        assertThat(d.verdict()).isEqualTo(Verdict.OK);
        assertThat(d.findings()).isEmpty();
        assertThat(d.note()).isEmpty();
    }

    @Test
    void debianNewKernelWithHeadersInRangeIsOk() {
        InstalledState s = new InstalledState(
                List.of(new KernelSummary("6.1.0-55-arm64", Optional.of("linux-image-6.1.0-55-arm64"), true, true, true)),
                Optional.of(ZFS_2_1_11), Optional.of("6.1.0-55-arm64"), NextBootPolicy.HIGHEST_VERSION);
        ChangeSet c = lines(install("linux-image-6.1.0-56-arm64", "6.1.158-1"),
                install("linux-headers-6.1.0-56-arm64", "6.1.158-1"),
                upgrade("linux-image-arm64", "6.1.153-1", "6.1.158-1"));
        PreflightDecision d = new Case(s, c).deb(kernelDeb("linux-image-6.1.0-56-arm64", "6.1.158-1", "6.1.0-56-arm64")).decide();
        assertThat(d.verdict()).isEqualTo(Verdict.OK);
        assertThat(d.findings()).isEmpty();
    }

    @Test
    void removingAnOlderKernelWhileAnotherWorksIsOk() {
        InstalledState s = new InstalledState(List.of(
                new KernelSummary("6.1.0-55-arm64", Optional.of("linux-image-6.1.0-55-arm64"), true, true, false),
                new KernelSummary("6.1.0-56-arm64", Optional.of("linux-image-6.1.0-56-arm64"), true, true, true)),
                Optional.of(ZFS_2_1_11), Optional.of("6.1.0-56-arm64"), NextBootPolicy.HIGHEST_VERSION);
        PreflightDecision d = new Case(s, lines(remove("linux-image-6.1.0-55-arm64", "6.1.153-1"))).decide();
        assertThat(d.verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void aNextBootKernelAlreadyOutsideTheRangeIsNotThisOperationsFaultButNotOkEither() {
        InstalledState s = new InstalledState(List.of(new KernelSummary(TOO_NEW, Optional.of(IMAGE), false, true, true)),
                Optional.of(ZFS_2_4_0), Optional.of(TOO_NEW), NextBootPolicy.LAST_INSTALLED);
        PreflightDecision d = new Case(s, lines(upgrade("dkms", "3.0.10-8", "3.0.10-9"))).decide();
        // the state after the operation is judged: a warning, never the gate's block (the fix may be in this run)
        assertThat(d.verdict()).isEqualTo(Verdict.WARN);
        assertThat(d.findings()).singleElement().satisfies(f -> assertThat(f.reason())
                .contains("already " + TOO_NEW, "ZFS will not load on the next boot"));
    }

    // ---- Armbian in-place upgrade (stream 02) ----

    @Test
    void inPlaceUpgradeWithHeadersWarnsAboutTheRunningKernelAndTheRebuild() {
        ChangeSet c = lines(upgrade(IMAGE, "25.11.1", "25.11.2"), upgrade(HEADERS, "25.11.1", "25.11.2"));
        PreflightDecision d = new Case(armbian(ZFS_2_4_0), c)
                .deb(kernelDeb(IMAGE, "25.11.2", NEW)).deb(headersDeb(HEADERS, "25.11.2", NEW)).decide();
        assertThat(d.verdict()).isEqualTo(Verdict.WARN);
        assertThat(reasons(d, Severity.BLOCK)).isEmpty();
        assertThat(reasons(d, Severity.WARN)).anySatisfy(r -> assertThat(r)
                .contains("modules of the running kernel " + OLD + " are removed")
                .contains(IMAGE + " is replaced in place"));
        assertThat(reasons(d, Severity.WARN)).anySatisfy(r -> assertThat(r)
                .contains("removes the last kernel with a working ZFS module (" + OLD + ")")
                .contains("ZFS must be built for " + NEW));
        assertThat(commands(d)).contains("sudo zfsguard rebuild", "zfsguard check");
    }

    @Test
    void capturedStream02WithoutNewHeadersWarnsWithTheWayBack() {
        // Armbian's routine update replaces the kernel in place. Its boot set is backed up before
        // dpkg runs, so the update goes on with a warning naming the fixes and the way back.
        PreflightDecision d = new Case(armbian(ZFS_2_4_0), captured("02-armbian-in-place-kernel-upgrade.v3"))
                .deb(kernelDeb(IMAGE, "25.11.2", NEW)).decide();
        assertThat(d.verdict()).isEqualTo(Verdict.WARN);
        assertThat(reasons(d, Severity.BLOCK)).isEmpty();
        assertThat(reasons(d, Severity.WARN)).anySatisfy(r -> assertThat(r)
                .contains("replaces the last kernel with a working ZFS module (" + OLD + ") in place")
                .contains("has headers")
                .contains("backed up first"));
        assertThat(reasons(d, Severity.WARN)).anySatisfy(r -> assertThat(r).contains("new kernel " + NEW + " will have no headers"));
        assertThat(commands(d)).contains("sudo apt install " + HEADERS, "sudo zfsguard rebuild",
                "sudo zfsguard restore " + OLD + " --activate");
    }

    @Test
    void anUnreadableArrivingKernelIsNeverBlockedOn() {
        PreflightDecision d = new Case(armbian(ZFS_2_4_0), captured("02-armbian-in-place-kernel-upgrade.v3")).decide();
        assertThat(d.verdict()).isEqualTo(Verdict.WARN);
        assertThat(reasons(d, Severity.BLOCK)).isEmpty();
    }

    @Test
    void armbianHeadersPackageInTheSameRunCountsWithoutItsDeb() {
        ChangeSet c = lines(upgrade(IMAGE, "25.11.1", "25.11.2"), upgrade(HEADERS, "25.11.1", "25.11.2"));
        PreflightDecision d = new Case(armbian(ZFS_2_4_0), c).deb(kernelDeb(IMAGE, "25.11.2", NEW)).decide();
        assertThat(reasons(d, Severity.BLOCK)).isEmpty();
        assertThat(reasons(d, Severity.WARN)).noneSatisfy(r -> assertThat(r).contains("no headers"));
    }

    // ---- kernel outside the OpenZFS range ----

    @Test
    void nextBootKernelAboveLinuxMaximumBlocksWithHoldAndOverride() {
        ChangeSet c = lines(upgrade(IMAGE, "25.11.1", "26.2.0"), upgrade(HEADERS, "25.11.1", "26.2.0"),
                upgrade(DTB, "25.11.1", "26.2.0"));
        PreflightDecision d = new Case(armbian(ZFS_2_4_0), c).deb(kernelDeb(IMAGE, "26.2.0", TOO_NEW)).decide();
        assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
        Finding block = d.findings().stream().filter(f -> f.reason().contains("outside the range")).findFirst().orElseThrow();
        assertThat(block.severity()).isEqualTo(Severity.BLOCK);
        assertThat(block.reason()).contains("boots next would be " + TOO_NEW + " (Linux 6.19)")
                .contains("OpenZFS 2.4.0 (Linux 4.18 to 6.18)")
                .contains("first install an OpenZFS whose Linux-Maximum is 6.19 or later");
        assertThat(block.commands()).containsExactly(
                "sudo apt-mark hold " + IMAGE + " " + DTB + " " + HEADERS, "zfsguard pin",
                "sudo ZFSGUARD_PREFLIGHT=warn apt upgrade");
        // no headers warning for a kernel ZFS cannot support anyway
        assertThat(reasons(d, Severity.WARN)).noneSatisfy(r -> assertThat(r).contains("no headers"));
    }

    @Test
    void armbianControlOnlyImageIsJudgedByTheReleaseInKernelVersionFamily() {
        // As Armbian's kernel-debs.sh writes them: the bare version, then the release; data.tar not read.
        DebPackage controlOnly = new DebPackage(new ControlFields(IMAGE, "26.2.0", "arm64", Optional.of("linux-6.19.2"),
                Optional.of("6.19.2"), Map.of("Armbian-Kernel-Version", "6.19.2", "Armbian-Kernel-Version-Family", TOO_NEW)),
                List.of(), Optional.empty(), false);
        PreflightDecision d = new Case(armbian(ZFS_2_4_0), lines(upgrade(IMAGE, "25.11.1", "26.2.0")))
                .deb(controlOnly).decide();
        assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
        assertThat(reasons(d, Severity.BLOCK)).anySatisfy(r -> assertThat(r).contains("boots next would be " + TOO_NEW + " "));
    }

    @Test
    void compatibleOpenZfsArrivingInTheSameOperationClearsTheBlock() {
        ChangeSet c = lines(upgrade(IMAGE, "25.11.1", "26.2.0"), upgrade(HEADERS, "25.11.1", "26.2.0"),
                upgrade("zfs-dkms", "2.4.0-1", "2.4.1-1"));
        PreflightDecision d = new Case(armbian(ZFS_2_4_0), c).deb(kernelDeb(IMAGE, "26.2.0", TOO_NEW))
                .deb(zfsDeb("2.4.1-1", ZFS_2_4_1)).decide();
        assertThat(d.verdict()).isEqualTo(Verdict.WARN);
        assertThat(reasons(d, Severity.BLOCK)).isEmpty();
        assertThat(reasons(d, Severity.WARN)).anySatisfy(r -> assertThat(r)
                .contains("ZFS moves from 2.4.0 to 2.4.1").contains("not built yet for the next boot kernel " + TOO_NEW));
    }

    @Test
    void incompatibleOpenZfsArrivingStillBlocks() {
        ChangeSet c = lines(upgrade(IMAGE, "25.11.1", "26.2.0"), upgrade("zfs-dkms", "2.3.2-1", "2.4.0-1"));
        PreflightDecision d = new Case(armbian(meta("2.3.2", 4, 18, 6, 14)), c).deb(kernelDeb(IMAGE, "26.2.0", TOO_NEW))
                .deb(zfsDeb("2.4.0-1", ZFS_2_4_0)).decide();
        assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
        assertThat(reasons(d, Severity.BLOCK)).anySatisfy(r -> assertThat(r).contains("OpenZFS 2.4.0 (Linux 4.18 to 6.18)"));
    }

    @Test
    void unreadableArrivingOpenZfsTurnsTheBlockIntoAWarning() {
        ChangeSet c = lines(upgrade(IMAGE, "25.11.1", "26.2.0"), upgrade("zfs-dkms", "2.4.0-1", "2.4.1-1"));
        PreflightDecision d = new Case(armbian(ZFS_2_4_0), c).deb(kernelDeb(IMAGE, "26.2.0", TOO_NEW)).decide();
        assertThat(reasons(d, Severity.BLOCK)).isEmpty();
        assertThat(reasons(d, Severity.WARN)).anySatisfy(r -> assertThat(r)
                .contains("outside the range").contains("unless the zfs-dkms arriving in this operation supports it"));
    }

    @Test
    void debianBackportKernelAboveTheRangeBlocksAndHoldsOnlyThatPackage() {
        InstalledState s = new InstalledState(
                List.of(new KernelSummary("6.1.0-56-arm64", Optional.of("linux-image-6.1.0-56-arm64"), true, true, true)),
                Optional.of(ZFS_2_1_11), Optional.of("6.1.0-56-arm64"), NextBootPolicy.HIGHEST_VERSION);
        ChangeSet c = lines(install("linux-image-6.12.48+bpo-arm64", "6.12.48-1~bpo12+1"));
        PreflightDecision d = new Case(s, c).decide(); // release from the package name, no .deb facts
        assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
        Finding block = d.findings().get(0);
        assertThat(block.reason()).contains("6.12.48+bpo-arm64 (Linux 6.12)").contains("Linux 3.10 to 6.2");
        assertThat(block.commands()).containsExactly("sudo apt-mark hold linux-image-6.12.48+bpo-arm64",
                "zfsguard pin", "sudo ZFSGUARD_PREFLIGHT=warn apt upgrade");
    }

    @Test
    void debianBackportKernelPulledInByTheMetapackageNamesTheMetapackagesToHold() {
        InstalledState s = new InstalledState(
                List.of(new KernelSummary("6.1.0-56-arm64", Optional.of("linux-image-6.1.0-56-arm64"), true, true, true)),
                Optional.of(ZFS_2_1_11), Optional.of("6.1.0-56-arm64"), NextBootPolicy.HIGHEST_VERSION);
        ChangeSet c = lines(install("linux-image-6.12.48+bpo-arm64", "6.12.48-1~bpo12+1"),
                upgrade("linux-image-arm64", "6.1.158-1", "6.12.48-1~bpo12+1"),
                upgrade("linux-headers-arm64", "6.1.158-1", "6.12.48-1~bpo12+1"));
        PreflightDecision d = new Case(s, c).decide();
        assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
        assertThat(d.findings().get(0).commands()).containsExactly("sudo apt-mark hold linux-image-arm64 linux-headers-arm64",
                "zfsguard pin", "sudo ZFSGUARD_PREFLIGHT=warn apt upgrade");
    }

    @Test
    void grubPinnedToAnEntryKeepsItsKernelWhenABackportArrives() {
        InstalledState s = new InstalledState(
                List.of(new KernelSummary("6.1.0-56-arm64", Optional.of("linux-image-6.1.0-56-arm64"), true, true, true)),
                Optional.of(ZFS_2_1_11), Optional.of("6.1.0-56-arm64"), NextBootPolicy.SAME_KERNEL);
        ChangeSet c = lines(install("linux-image-6.12.48+bpo-arm64", "6.12.48-1~bpo12+1"));
        assertThat(new Case(s, c).decide().verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void grubPinnedToARemovedKernelFallsBackToTheHighest() {
        InstalledState s = new InstalledState(List.of(
                new KernelSummary("6.1.0-56-arm64", Optional.of("linux-image-6.1.0-56-arm64"), true, true, true)),
                Optional.of(ZFS_2_1_11), Optional.of("6.1.0-56-arm64"), NextBootPolicy.SAME_KERNEL);
        ChangeSet c = lines(remove("linux-image-6.1.0-56-arm64", "6.1.158-1"), install("linux-image-6.12.48+bpo-arm64", "6.12.48-1~bpo12+1"));
        PreflightDecision d = new Case(s, c).decide();
        assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
        assertThat(reasons(d, Severity.BLOCK)).anySatisfy(r -> assertThat(r).contains("6.12.48+bpo-arm64 (Linux 6.12)"));
    }

    @Test
    void anUnpredictableBootLoaderIsNotGuessedAt() {
        InstalledState s = new InstalledState(
                List.of(new KernelSummary("6.1.0-56-arm64", Optional.of("linux-image-6.1.0-56-arm64"), true, true, true)),
                Optional.of(ZFS_2_1_11), Optional.empty(), NextBootPolicy.UNKNOWN);
        ChangeSet c = lines(install("linux-image-6.12.48+bpo-arm64", "6.12.48-1~bpo12+1"));
        assertThat(new Case(s, c).decide().verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void olderKernelInstalledUnderHighestVersionDoesNotBecomeNextBoot() {
        InstalledState s = new InstalledState(
                List.of(new KernelSummary("6.1.0-56-arm64", Optional.of("linux-image-6.1.0-56-arm64"), true, true, true)),
                Optional.of(ZFS_2_1_11), Optional.of("6.1.0-56-arm64"), NextBootPolicy.HIGHEST_VERSION);
        ChangeSet c = lines(install("linux-image-5.10.0-30-arm64", "5.10.218-1"), install("linux-headers-5.10.0-30-arm64", "5.10.218-1"));
        assertThat(new Case(s, c).decide().verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void kernelBelowLinuxMinimumBlocksWithoutAskingForANewerOpenZfs() {
        ChangeSet c = lines(upgrade(IMAGE, "25.11.1", "20.02.0"));
        PreflightDecision d = new Case(armbian(ZFS_2_4_0), c).deb(kernelDeb(IMAGE, "20.02.0", "4.4.213-legacy-rockchip64")).decide();
        assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
        assertThat(reasons(d, Severity.BLOCK)).anySatisfy(r -> assertThat(r)
                .contains("(Linux 4.4)").doesNotContain("Linux-Maximum").endsWith("hold the kernel back"));
    }

    // ---- removals ----

    @Test
    void capturedStream04RemovingTheOnlyWorkingKernelBlocks() {
        InstalledState s = new InstalledState(List.of(new KernelSummary(NEW, Optional.of(IMAGE), true, true, true)),
                Optional.of(ZFS_2_4_0), Optional.of(NEW), NextBootPolicy.LAST_INSTALLED);
        PreflightDecision d = new Case(s, captured("04-remove-kernel-and-unrelated.v3")).decide();
        assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
        assertThat(reasons(d, Severity.BLOCK)).singleElement().asString()
                .contains("removes the last kernel with a working ZFS module (" + NEW + ")");
        assertThat(reasons(d, Severity.WARN)).anySatisfy(r -> assertThat(r).contains("running kernel " + NEW));
    }

    @Test
    void removingTheLastWorkingKernelWhileAnotherCanBeBuiltWarns() {
        InstalledState s = new InstalledState(List.of(
                new KernelSummary("6.1.0-55-arm64", Optional.of("linux-image-6.1.0-55-arm64"), true, true, true),
                new KernelSummary("6.1.0-56-arm64", Optional.of("linux-image-6.1.0-56-arm64"), false, true, false)),
                Optional.of(ZFS_2_1_11), Optional.of("6.1.0-56-arm64"), NextBootPolicy.HIGHEST_VERSION);
        PreflightDecision d = new Case(s, lines(remove("linux-image-6.1.0-55-arm64", "6.1.153-1"))).decide();
        assertThat(d.verdict()).isEqualTo(Verdict.WARN);
        assertThat(reasons(d, Severity.WARN)).anySatisfy(r -> assertThat(r).contains("ZFS must be built for 6.1.0-56-arm64"));
    }

    @Test
    void removingZfsDkmsBlocksWhenItHeldTheOnlyWorkingModules() {
        PreflightDecision d = new Case(armbian(ZFS_2_4_0), lines(remove("zfs-dkms", "2.4.0-1"))).decide();
        assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
        assertThat(reasons(d, Severity.BLOCK)).singleElement().asString().contains("OpenZFS (zfs-dkms) is removed as well");
    }

    // ---- warnings ----

    @Test
    void freshImageBuildInstallWarnsAboutHeadersAndTheUnbuiltModule() {
        InstalledState empty = new InstalledState(List.of(), Optional.empty(), Optional.empty(), NextBootPolicy.LAST_INSTALLED);
        PreflightDecision d = new Case(empty, captured("01-install-kernel-and-zfs-dkms.v3"))
                .deb(kernelDeb(IMAGE, "25.11.1", OLD)).deb(zfsDeb("2.4.0-1", ZFS_2_4_0)).decide();
        assertThat(d.verdict()).isEqualTo(Verdict.WARN);
        assertThat(reasons(d, Severity.WARN)).containsExactlyInAnyOrder(
                "the new kernel " + OLD + " will have no headers, so DKMS cannot build ZFS for it",
                "ZFS 2.4.0 is installed, and its module is not built yet for the next boot kernel " + OLD);
        assertThat(commands(d)).contains("sudo apt install " + HEADERS, "sudo zfsguard rebuild");
    }

    @Test
    void kernelWhoseReleaseCannotBeToldIsAWarningNeverABlock() {
        ChangeSet c = lines(IMAGE + " 25.11.1 arm64 none < 25.11.2 arm64 none **ERROR**");
        InstalledState s = new InstalledState(List.of(
                new KernelSummary(OLD, Optional.of(IMAGE), true, true, true),
                new KernelSummary("6.6.60-edge-rockchip64", Optional.of("linux-image-edge-rockchip64"), true, true, false)),
                Optional.of(ZFS_2_4_0), Optional.of(OLD), NextBootPolicy.LAST_INSTALLED);
        PreflightDecision d = new Case(s, c).decide();
        assertThat(d.verdict()).isEqualTo(Verdict.WARN);
        assertThat(reasons(d, Severity.WARN)).anySatisfy(r -> assertThat(r).contains("could not tell which kernel " + IMAGE));
        assertThat(commands(d)).contains("zfsguard status");
    }

    // ---- modes ----

    static Case blockingCase() {
        ChangeSet c = lines(upgrade(IMAGE, "25.11.1", "26.2.0"));
        return new Case(armbian(ZFS_2_4_0), c).deb(kernelDeb(IMAGE, "26.2.0", TOO_NEW));
    }

    @Test
    void warnModeTurnsBlocksIntoWarnings() {
        Case k = blockingCase();
        k.mode = PreflightMode.WARN;
        PreflightDecision d = k.decide();
        assertThat(d.verdict()).isEqualTo(Verdict.WARN);
        assertThat(d.mode()).isEqualTo(PreflightMode.WARN);
        assertThat(reasons(d, Severity.BLOCK)).isEmpty();
        assertThat(reasons(d, Severity.WARN)).anySatisfy(r -> assertThat(r).endsWith("(not blocked: preflight = warn)"));
    }

    @Test
    void offModeChecksNothing() {
        Case k = blockingCase();
        k.mode = PreflightMode.OFF;
        PreflightDecision d = k.decide();
        assertThat(d.verdict()).isEqualTo(Verdict.OK);
        assertThat(d.findings()).isEmpty();
    }

    @Test
    void environmentOverridesTheConfiguredModeForOneRun() {
        Case k = blockingCase();
        k.env = Optional.of("warn");
        assertThat(k.decide().verdict()).isEqualTo(Verdict.WARN);
        k.env = Optional.of(" WARN ");
        assertThat(k.decide().verdict()).isEqualTo(Verdict.WARN);
        k.env = Optional.of("off");
        assertThat(k.decide().verdict()).isEqualTo(Verdict.OK);
        k.mode = PreflightMode.WARN;
        k.env = Optional.of("block");
        assertThat(k.decide().verdict()).isEqualTo(Verdict.BLOCK);
    }

    @Test
    void unknownOverrideIsIgnoredAndSaidSo() {
        Case k = blockingCase();
        k.env = Optional.of("please\u001b[31m");
        PreflightDecision d = k.decide();
        assertThat(d.verdict()).isEqualTo(Verdict.BLOCK);
        assertThat(d.note()).contains("ZFSGUARD_PREFLIGHT='please\\x1b[31m' is not one of block, warn, off;"
                + " using preflight = block from zfsguard.conf");
    }

    @Test
    void overrideCommandWithoutKnownArgumentsSaysSo() {
        Case k = blockingCase();
        k.args = Optional.empty();
        assertThat(commands(k.decide())).contains("sudo ZFSGUARD_PREFLIGHT=warn apt <same arguments>");
    }

    @ParameterizedTest
    @EnumSource(PreflightMode.class)
    void silentOkInEveryModeForAnUnrelatedRun(PreflightMode mode) {
        Case k = new Case(armbian(ZFS_2_4_0), captured("03-unrelated-package.v3"));
        k.mode = mode;
        assertThat(k.decide().verdict()).isEqualTo(Verdict.OK);
        assertThat(k.decide().findings()).isEmpty();
    }
}
