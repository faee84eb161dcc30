package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * Proof by reboot: a Debian 12 amd64 VM with GRUB, a real OpenZFS built by DKMS and a real
 * pool (see {@link VmImage}) runs the freshly built zfsguard, whose prediction of the next
 * boot is then checked by rebooting: the kernel that boots, whether zfs loads and whether the
 * pool imports, as a unit in the guest reports them on the serial console. Needs root, qemu-system-x86
 * and qemu-utils; the image is cached. Every scenario adds a row to the table in
 * {@code target/vm-reboot-table.md}.
 */
class RebootPredictionIT {
    private static final Duration BOOT = Duration.ofMinutes(12);
    private static final Duration COMMAND = Duration.ofMinutes(5);
    private static final List<String> TABLE = new ArrayList<>();

    private static VmImage.Disks disks;
    private static BuiltPackage deb;

    @BeforeAll
    static void image() {
        HostRequirements.requireRoot();
        HostRequirements.requireTools("debootstrap", "qemu-system-x86_64", "qemu-img", "mke2fs");
        deb = BuiltPackage.fromBuild();
        disks = VmImage.disks();
    }

    @AfterAll
    static void table() throws IOException {
        List<String> out = new ArrayList<>(List.of(
                "| scenario | predicted next kernel | rule, entry | verdict | booted kernel | zfs loaded | pool imported | agreement |",
                "| --- | --- | --- | --- | --- | --- | --- | --- |"));
        out.addAll(TABLE);
        String text = String.join("\n", out) + "\n";
        System.out.print(text);
        Path target = Path.of(System.getProperty("zfsguard.deb", "target/x")).getParent();
        Files.writeString(target.resolve("vm-reboot-table.md"), text);
    }

    /** A booted VM on fresh overlays with zfsguard installed from the built package. */
    private static final class Guest implements AutoCloseable {
        final Qemu vm;
        final Path dir;

        Guest(String scenario) throws IOException {
            dir = Path.of("/var/tmp", "zfsguard-vm-" + scenario + "-" + ProcessHandle.current().pid());
            Exec.host(Duration.ofMinutes(1), "rm", "-rf", dir.toString()).orFail();
            Files.createDirectories(dir);
            List<Path> drives = new ArrayList<>(disks.overlays(dir));
            drives.add(jobDisk(dir));
            vm = Qemu.start(dir.resolve("qemu"), drives, null);
            Boot b = awaitBoot();
            assertThat(b.kernel()).as("first boot").isEqualTo(disks.kernel());
            awaitShell();
            vm.run("mount -o ro /dev/vdc /mnt && apt-get install -y -q /mnt/zfsguard.deb > /root/install.log 2>&1"
                    + " || { tail -20 /root/install.log; false; }", COMMAND).orFail();
        }

        private static Path jobDisk(Path dir) throws IOException {
            Path content = Files.createDirectories(dir.resolve("job"));
            Files.copy(deb.deb(), content.resolve("zfsguard.deb"), StandardCopyOption.REPLACE_EXISTING);
            Path raw = dir.resolve("job.raw");
            Exec.host(Duration.ofMinutes(2), "mke2fs", "-q", "-F", "-t", "ext4", "-d", content.toString(), raw.toString(), "64M")
                    .orFail();
            return raw;
        }

        Boot awaitBoot() {
            Matcher k = vm.waitFor(Pattern.compile("booted (\\S+)\n"), BOOT);
            Matcher z = vm.waitFor(Pattern.compile("zfs (loaded \\S+|not loaded)\n"), Duration.ofMinutes(3));
            Matcher p = vm.waitFor(Pattern.compile("pool (imported|not imported) tank\n"), Duration.ofMinutes(3));
            vm.waitFor(Pattern.compile("report done\n"), Duration.ofMinutes(1));
            return new Boot(k.group(1), z.group(1).startsWith("loaded"), p.group(1).equals("imported"));
        }

        /** Waits until the root shell on the console answers (agetty drops what was typed before it started). */
        void awaitShell() {
            for (int i = 0; i < 20; i++) {
                vm.type("\necho @@READY$((6*7))@@\n");
                try {
                    vm.waitFor(Pattern.compile("@@READY42@@"), Duration.ofSeconds(15));
                    return;
                } catch (AssertionError e) {
                    // not logged in yet
                }
            }
            throw new AssertionError("no root shell on the VM console; last screen:\n" + vm.lastScreen());
        }

        Prediction predict() {
            Qemu.Result check = vm.run("zfsguard check", COMMAND);
            Qemu.Result json = vm.run("zfsguard status --json | tr -d '\\n'", COMMAND).orFail();
            String text = json.output().strip();
            JsonObject o = JsonParser.parseString(text.substring(text.indexOf('{'))).getAsJsonObject();
            JsonObject next = o.getAsJsonObject("nextBoot");
            return new Prediction(next.get("kernel").isJsonNull() ? null : next.get("kernel").getAsString(),
                    next.get("rule").getAsString(), next.get("entry").isJsonNull() ? null : next.get("entry").getAsString(),
                    check.exitCode(), check.output().strip());
        }

        Boot reboot() {
            vm.type("systemctl reboot\n");
            Boot b = awaitBoot();
            awaitShell();
            return b;
        }

        @Override
        public void close() {
            vm.close();
            Exec.host(Duration.ofMinutes(1), "rm", "-rf", dir.toString());
        }
    }

    record Boot(String kernel, boolean zfs, boolean pool) {
    }

    record Prediction(String kernel, String rule, String entry, int checkExit, String checkLine) {
        boolean safe() {
            return checkExit == 0;
        }
    }

    /** Records the row, then asserts: the predicted kernel booted and ZFS did what the verdict said. */
    private static void compare(String scenario, Prediction p, Boot b) {
        boolean agree = b.kernel().equals(p.kernel()) && p.safe() == (b.zfs() && b.pool());
        TABLE.add("| " + scenario + " | " + p.kernel() + " | " + p.rule() + ", " + p.entry() + " | "
                + (p.safe() ? "SAFE" : "NOT SAFE (exit " + p.checkExit() + ")") + " | " + b.kernel() + " | "
                + (b.zfs() ? "yes" : "no") + " | " + (b.pool() ? "yes" : "no") + " | " + (agree ? "yes" : "NO") + " |");
        assertThat(b.kernel()).as(scenario + ": booted kernel vs prediction (" + p.checkLine() + ")").isEqualTo(p.kernel());
        assertThat(b.zfs() && b.pool()).as(scenario + ": zfs and pool vs verdict (" + p.checkLine() + ")").isEqualTo(p.safe());
    }

    @Test
    void healthySystemIsSafeAndBootsWithZfsAndThePool() throws IOException {
        try (Guest g = new Guest("healthy")) {
            Prediction p = g.predict();
            assertThat(p.checkExit()).as(p.checkLine()).isZero();
            assertThat(p.rule()).isEqualTo("GRUB_DEFAULT");
            assertThat(p.entry()).startsWith("gnulinux-simple-");
            compare("1 healthy", p, g.reboot());
        }
    }

    @Test
    void dkmsRemoveForTheNextKernelIsNotSafeAndZfsDoesNotLoad() throws IOException {
        try (Guest g = new Guest("dkms-remove")) {
            g.vm.run("v=$(ls /usr/src | sed -n 's/^zfs-//p' | head -n 1) && dkms remove zfs/$v -k " + disks.kernel(), COMMAND).orFail();
            Prediction p = g.predict();
            assertThat(p.checkExit()).as(p.checkLine()).isEqualTo(1);
            compare("2 dkms remove for the next kernel", p, g.reboot());
        }
    }

    @Test
    void grubRebootAndGrubSetDefaultPickTheKernelThatBoots() throws IOException {
        String k = disks.kernel();
        String bpo = disks.backportsKernel();
        try (Guest g = new Guest("grub")) {
            g.vm.run("apt-get install -y -q /var/cache/zfsguard-vm/*.deb > /root/bpo.log 2>&1 || { tail -20 /root/bpo.log; false; }",
                    Duration.ofMinutes(20)).orFail();
            g.vm.run("sed -i 's/^GRUB_DEFAULT=.*/GRUB_DEFAULT=saved/' /etc/default/grub && update-grub", COMMAND).orFail();
            String uuid = g.vm.run("grub-probe --target=fs_uuid /", COMMAND).orFail().output().strip();
            uuid = uuid.substring(uuid.lastIndexOf('\n') + 1).strip();
            String withZfs = "gnulinux-advanced-" + uuid + ">gnulinux-" + k + "-advanced-" + uuid;
            String withoutZfs = "gnulinux-advanced-" + uuid + ">gnulinux-" + bpo + "-advanced-" + uuid;

            Prediction first = g.predict();
            assertThat(first.rule()).isEqualTo("GRUB_SAVED_ENTRY");
            compare("3a two kernels, saved_entry unset: the first entry", first, g.reboot());

            g.vm.run("grub-set-default '" + withZfs + "'", COMMAND).orFail();
            Prediction saved = g.predict();
            assertThat(saved.entry()).isEqualTo(withZfs);
            compare("3b grub-set-default to " + k, saved, g.reboot());

            g.vm.run("grub-reboot '" + withoutZfs + "'", COMMAND).orFail();
            Prediction once = g.predict();
            assertThat(once.rule()).isEqualTo("GRUB_NEXT_ENTRY");
            assertThat(once.entry()).isEqualTo(withoutZfs);
            compare("3c grub-reboot to " + bpo, once, g.reboot());

            Prediction back = g.predict();
            assertThat(back.rule()).isEqualTo("GRUB_SAVED_ENTRY");
            compare("3d after the one-shot boot: back to the saved entry", back, g.reboot());
        }
    }
}
