package org.zfsguard.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.readiness.ReadinessEngine;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.rebuild.CommandRunner;
import org.zfsguard.state.StateDir;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.testing.FixtureSystem;
import org.zfsguard.testing.FixtureSystem.InitrdCompression;
import org.zfsguard.testing.ModuleFixtures.Arch;

/** The guard on fixture systems: real links, files and grub.cfg; the boot loader's tools recorded, not run. */
class BootGuardianTest {
    static final String OLD = "6.12.57-current-rockchip64";
    static final String NEW = "6.12.58-current-rockchip64";
    static final String PKG = "linux-image-current-rockchip64";
    static final String BPO = "6.12.95+bpo-amd64";
    static final String K57 = "6.1.0-57-amd64";
    static final String U = "226ac178-6043-4bce-ad5d-38474b345fde";

    @TempDir
    Path dir;

    final List<List<String>> commands = new ArrayList<>();
    final CommandRunner recorder = (argv, lines) -> {
        commands.add(argv);
        return 0;
    };
    final List<String> restored = new ArrayList<>();

    FixtureSystem fx() {
        return new FixtureSystem(dir);
    }

    SystemRoot root() {
        return SystemRoot.at(dir);
    }

    StateDir state() {
        return StateDir.at(dir.resolve("var/lib/zfsguard"));
    }

    /** An Armbian kernel with ZFS built by DKMS and packed into its uInitrd. */
    FixtureSystem armbianKernel(String k, boolean withZfs) {
        FixtureSystem fx = fx().kernel(k, PKG).meta("2.3.4", "1", "4.18", "6.15").packageInstalled("zfs-dkms")
                .packageInstalled("zfs-initramfs").write("/etc/armbian-release", "BOARD=rockpro64\n")
                .mkdir("/boot/dtb-" + k);
        if (withZfs) {
            fx.dkmsZfs(k, "2.3.4-1").dkmsTree("2.3.4", k, "aarch64", true);
        }
        fx.uInitrd("/boot/uInitrd-" + k, FixtureSystem.initrdBytes(Arch.AARCH64, k, InitrdCompression.ZSTD, false,
                withZfs ? "2.3.4-1" : null, withZfs ? k : null));
        return fx;
    }

    FixtureSystem amd64Kernel(String k, boolean withZfs) {
        FixtureSystem fx = fx().arch(Arch.X86_64).kernel(k, "linux-image-" + k).meta("2.3.4", "1", "4.18", "6.15")
                .packageInstalled("zfs-dkms").packageInstalled("zfs-initramfs");
        if (withZfs) {
            fx.dkmsZfs(k, "2.3.4-1").dkmsTree("2.3.4", k, "x86_64", true);
        }
        fx.initrd("/boot/initrd.img-" + k, k, InitrdCompression.ZSTD, false, withZfs ? "2.3.4-1" : null, withZfs ? k : null);
        return fx;
    }

    BootGuardian guardian(BootGuardian.KernelRestore restore) {
        return new BootGuardian(root(), state(), BootGuard.Mode.HOLD, new BootTargetApplier(root(), recorder), restore,
                Clock.fixed(Instant.parse("2026-11-30T02:00:00Z"), ZoneOffset.UTC));
    }

    BootGuardian guardian() {
        return guardian(k -> {
            throw new IOException("no backup of " + k);
        });
    }

    ReadinessReport evaluate() {
        return new ReadinessEngine(root()).evaluate();
    }

    void knownGood(String k) throws IOException {
        GuardState.Data d = new GuardState(state()).read();
        d.knownGood = k;
        new GuardState(state()).write(d);
    }

    String link(String name) throws IOException {
        return Files.readSymbolicLink(dir.resolve("boot").resolve(name)).toString();
    }

    @Test
    void armbianSideBySideHoldsTheLinksOnTheKnownGoodKernel() throws IOException {
        armbianKernel(OLD, true);
        armbianKernel(NEW, false).armbianBootLinks(NEW).symlink("/boot/dtb", "dtb-" + NEW);
        knownGood(OLD);

        BootGuardian.Outcome o = guardian().guard(evaluate());

        assertThat(o.decision()).isInstanceOf(BootGuard.Hold.class);
        assertThat(o.changed()).isTrue();
        assertThat(link("Image")).isEqualTo("vmlinuz-" + OLD);
        assertThat(link("uInitrd")).isEqualTo("uInitrd-" + OLD);
        assertThat(link("dtb")).isEqualTo("dtb-" + OLD);
        assertThat(o.lines().get(0)).isEqualTo("boot guard: the next boot now loads " + OLD + ": next boot kernel " + NEW
                + " is MISSING; " + OLD + " is the known-good kernel");
        ReadinessReport after = evaluate();
        assertThat(after.overall()).isEqualTo(ReadinessReport.Overall.SAFE);
        assertThat(Files.readString(state().journalFile())).contains("\"boot-guard\"").contains("\"hold\"");
        assertThat(commands).isEmpty();
    }

    @Test
    void armbianInPlaceUpgradeRestoresTheKnownGoodKernelFirstAndRecordsItAsZfsguards() throws IOException {
        armbianKernel(NEW, false).armbianBootLinks(NEW);
        knownGood(OLD);
        // a backup of OLD exists in the store: the input sees it through the store; here a restore that puts it back
        BootGuardian g = guardian(k -> {
            restored.add(k);
            armbianKernel(k, true);
            return List.of("restored boot set of " + k);
        });
        BootGuard.Input in = new BootGuard.Input(BootGuard.Mode.HOLD,
                g.input(evaluate(), new GuardState(state()).read()).verdicts(), NEW, OLD, BootGuard.Backup.SAME_OPENZFS,
                null, java.util.Set.of());
        BootGuard.Decision d = BootGuard.decide(in);
        assertThat(d).isEqualTo(new BootGuard.Hold(OLD, true, "next boot kernel " + NEW
                + " is MISSING; the known-good kernel " + OLD + " comes back from its backup", null));
        // Without a backup in the store there is no way back: the interlock.
        assertThat(g.guard(evaluate()).decision()).isInstanceOf(BootGuard.NoSafeKernel.class);
        assertThat(restored).isEmpty();
    }

    @Test
    void aVfatBootGetsCopiesReplacedNotLinks() throws IOException {
        armbianKernel(OLD, true);
        armbianKernel(NEW, false);
        fx().write("/boot/Image", Files.readAllBytes(dir.resolve("boot/vmlinuz-" + NEW)))
                .write("/boot/uInitrd", Files.readAllBytes(dir.resolve("boot/uInitrd-" + NEW)));
        knownGood(OLD);

        BootGuardian.Outcome o = guardian().guard(evaluate());

        assertThat(o.decision().target()).isEqualTo(OLD);
        assertThat(Files.isSymbolicLink(dir.resolve("boot/Image"))).isFalse();
        assertThat(Files.readAllBytes(dir.resolve("boot/Image"))).isEqualTo(Files.readAllBytes(dir.resolve("boot/vmlinuz-" + OLD)));
        assertThat(Files.readAllBytes(dir.resolve("boot/uInitrd"))).isEqualTo(Files.readAllBytes(dir.resolve("boot/uInitrd-" + OLD)));
        assertThat(o.lines()).contains("pointed /boot/Image replaced by a copy of /boot/vmlinuz-" + OLD
                + " (no symlinks on this /boot)");
    }

    @Test
    void onceTheNewKernelIsSafeItBootsAsATrialAndTheTrialIsRecorded() throws IOException {
        armbianKernel(OLD, true).armbianBootLinks(OLD);
        armbianKernel(NEW, true);
        knownGood(OLD);

        BootGuardian.Outcome o = guardian().guard(evaluate());

        assertThat(o.decision()).isInstanceOf(BootGuard.Trial.class);
        assertThat(link("Image")).isEqualTo("vmlinuz-" + NEW);
        GuardState.Data s = new GuardState(state()).read();
        assertThat(s.trial.kernel).isEqualTo(NEW);
        assertThat(s.trial.fallback).isEqualTo(OLD);
        assertThat(s.trial.started).isEqualTo("2026-11-30T02:00:00Z");
        // A second run changes nothing: the trial is under way.
        assertThat(guardian().guard(evaluate()).decision()).isInstanceOf(BootGuard.Keep.class);
    }

    @Test
    void noSafeKernelKeepsTheInterlockFlagUntilTheNextBootIsSafe() throws IOException {
        armbianKernel(NEW, false).armbianBootLinks(NEW);
        BootGuardian g = guardian();
        ReadinessReport r = evaluate();

        assertThat(g.guard(r).decision()).isInstanceOf(BootGuard.NoSafeKernel.class);
        g.interlock(r);
        Path flag = state().path().resolve(BootGuardian.INTERLOCK_FILE);
        assertThat(Files.readString(flag)).contains(NEW);

        armbianKernel(NEW, true);
        g.interlock(evaluate());
        assertThat(flag).doesNotExist();
    }

    @Test
    void theKernelThatBootsBeforeAChangeIsRememberedOnlyWhenNoneIsKnown() throws IOException {
        armbianKernel(OLD, true).armbianBootLinks(OLD);
        guardian().rememberBeforeChange(evaluate());
        GuardState.Data s = new GuardState(state()).read();
        assertThat(s.knownGood).isEqualTo(OLD);
        assertThat(s.knownGoodSource).isEqualTo("before a kernel change");
        knownGood("6.12.50-current-rockchip64");
        guardian().rememberBeforeChange(evaluate());
        assertThat(new GuardState(state()).read().knownGood).isEqualTo("6.12.50-current-rockchip64");
    }

    @Test
    void grubHoldWritesTheDropInAndSetsTheDefaultToTheKnownGoodEntry() throws IOException {
        amd64Kernel(BPO, false);
        amd64Kernel(K57, true).write("/boot/grub/grub.cfg", resource("saved.cfg"));
        knownGood(K57);

        BootGuardian.Outcome o = guardian().guard(evaluate());

        assertThat(o.decision().target()).isEqualTo(K57);
        String advanced = "gnulinux-advanced-" + U + ">gnulinux-" + K57 + "-advanced-" + U;
        assertThat(commands).containsExactly(List.of("grub-set-default", "--boot-directory=" + dir.resolve("boot"), advanced));
        assertThat(Files.readString(dir.resolve("etc/default/grub.d/zfsguard.cfg"))).contains("GRUB_DEFAULT=saved\n");
        assertThat(o.lines()).contains("GRUB default: " + K57 + " (entry " + advanced + ")");
    }

    @Test
    void grubTrialKeepsTheKnownGoodDefaultAndBootsTheNewKernelOnce() throws IOException {
        amd64Kernel(BPO, true);
        amd64Kernel(K57, true).write("/boot/grub/grub.cfg", resource("saved.cfg"));
        knownGood(K57);

        BootGuardian.Outcome o = guardian().guard(evaluate());

        assertThat(o.decision()).isEqualTo(new BootGuard.Trial(BPO, K57, "next boot kernel " + BPO
                + " has a working ZFS module but has not booted with it yet; it boots once as a trial, and " + K57
                + " comes back if ZFS does not confirm"));
        String boot = "--boot-directory=" + dir.resolve("boot");
        assertThat(commands).containsExactly(
                List.of("grub-set-default", boot, "gnulinux-advanced-" + U + ">gnulinux-" + K57 + "-advanced-" + U),
                List.of("grub-reboot", boot, "gnulinux-advanced-" + U + ">gnulinux-" + BPO + "-advanced-" + U));
    }

    @Test
    void aFailingBootLoaderToolIsALineNotAnException() throws IOException {
        amd64Kernel(BPO, false);
        amd64Kernel(K57, true).write("/boot/grub/grub.cfg", resource("saved.cfg"));
        knownGood(K57);
        BootGuardian g = new BootGuardian(root(), state(), BootGuard.Mode.HOLD,
                new BootTargetApplier(root(), (argv, lines) -> {
                    lines.accept("error: cannot open /boot/grub/grubenv");
                    return 1;
                }), k -> List.of(), Clock.systemUTC());

        BootGuardian.Outcome o = g.guard(evaluate());

        assertThat(o.changed()).isFalse();
        assertThat(o.lines()).anyMatch(l -> l.contains("could not point the boot loader at " + K57)
                && l.contains("grub-set-default failed (exit 1): error: cannot open /boot/grub/grubenv"));
    }

    static String resource(String name) {
        try (InputStream in = BootGuardianTest.class.getResourceAsStream("/grub/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new AssertionError("missing test resource grub/" + name, e);
        }
    }
}
