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
    private static final List<String> MISMATCHES = new ArrayList<>();

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
                "| scenario | predicted next kernel | rule, entry | verdict | booted kernel | zfs loaded | pool imported | agreement | boot s |",
                "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"));
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
            long started = System.nanoTime();
            vm = Qemu.start(dir.resolve("qemu"), drives, null);
            Boot b = awaitBoot(started);
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

        /** The report of the boot that started at {@code started} (System.nanoTime). */
        Boot awaitBoot(long started) {
            Matcher k = vm.waitFor(Pattern.compile("booted (\\S+)\n"), BOOT);
            Matcher z = vm.waitFor(Pattern.compile("zfs (loaded \\S+|not loaded)\n"), Duration.ofMinutes(3));
            Matcher p = vm.waitFor(Pattern.compile("pool (imported|not imported) tank\n"), Duration.ofMinutes(3));
            vm.waitFor(Pattern.compile("report done\n"), Duration.ofMinutes(1));
            return new Boot(k.group(1), z.group(1).startsWith("loaded"), p.group(1).equals("imported"),
                    Duration.ofNanos(System.nanoTime() - started).toSeconds());
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
            long started = System.nanoTime();
            vm.type("systemctl reboot\n");
            Boot b = awaitBoot(started);
            awaitShell();
            return b;
        }

        @Override
        public void close() {
            vm.close();
            Exec.host(Duration.ofMinutes(1), "rm", "-rf", dir.toString());
        }
    }

    /** What the guest reported at a boot, and the seconds from the reboot command to the report. */
    record Boot(String kernel, boolean zfs, boolean pool, long seconds) {
    }

    record Prediction(String kernel, String rule, String entry, int checkExit, String checkLine) {
        boolean safe() {
            return checkExit == 0;
        }
    }

    /** Records the row and any disagreement: the predicted kernel must boot, and ZFS must do what the verdict said. */
    private static void compare(String scenario, Prediction p, Boot b) {
        boolean agree = b.kernel().equals(p.kernel()) && p.safe() == (b.zfs() && b.pool());
        TABLE.add("| " + scenario + " | " + p.kernel() + " | " + p.rule() + ", " + p.entry() + " | "
                + (p.safe() ? "SAFE" : "NOT SAFE (exit " + p.checkExit() + ")") + " | " + b.kernel() + " | "
                + (b.zfs() ? "yes" : "no") + " | " + (b.pool() ? "yes" : "no") + " | " + (agree ? "yes" : "NO") + " | " + b.seconds() + " |");
        System.out.println("vm-rig row: " + TABLE.get(TABLE.size() - 1));
        if (!agree) {
            MISMATCHES.add(scenario + ": predicted " + p.kernel() + (p.safe() ? " SAFE" : " NOT SAFE") + ", booted " + b.kernel()
                    + (b.zfs() ? " with zfs" : " without zfs") + (b.pool() ? ", pool imported" : ", pool not imported")
                    + " (" + p.checkLine() + ")");
        }
    }

    /**
     * One guest walks the scenarios in an order where each leaves what the next needs, so that
     * the whole rig costs one first boot and six reboots: 1 healthy; 3 two kernels under
     * GRUB_DEFAULT=saved (first entry, grub-set-default, grub-reboot, back); 2 dkms remove for
     * the saved kernel. Every row is recorded before the first disagreement fails the test.
     */
    @Test
    void everyRebootBootsThePredictedKernelWithTheZfsThatWasPredicted() throws IOException {
        String k = disks.kernel();
        String bpo = disks.backportsKernel();
        try (Guest g = new Guest("rig")) {
            Prediction healthy = g.predict();
            assertThat(healthy.checkExit()).as(healthy.checkLine()).isZero();
            assertThat(healthy.rule()).as("status --json nextBoot.rule").isEqualTo("GRUB_DEFAULT");
            assertThat(healthy.entry()).as("status --json nextBoot.entry").startsWith("gnulinux-simple-");
            compare("1 healthy, GRUB_DEFAULT=0", healthy, g.reboot());

            // the backports kernel and its dependencies from the local cache: dpkg -i, as apt would
            // refuse a version the compatibility pin holds; the gate is told to warn only, as an
            // operator would do for a kernel without ZFS on purpose
            g.vm.run("ZFSGUARD_PREFLIGHT=warn dpkg -i /var/cache/zfsguard-vm/*.deb > /root/bpo.log 2>&1"
                    + " || { tail -30 /root/bpo.log; false; }", Duration.ofMinutes(20)).orFail();
            g.vm.run("sed -i 's/^GRUB_DEFAULT=.*/GRUB_DEFAULT=saved/' /etc/default/grub && update-grub > /root/grub.log 2>&1"
                    + " || { tail -20 /root/grub.log; false; }", COMMAND).orFail();
            String uuid = g.vm.run("grub-probe --target=fs_uuid /", COMMAND).orFail().output().strip();
            uuid = uuid.substring(uuid.lastIndexOf('\n') + 1).strip();
            String withZfs = "gnulinux-advanced-" + uuid + ">gnulinux-" + k + "-advanced-" + uuid;
            String withoutZfs = "gnulinux-advanced-" + uuid + ">gnulinux-" + bpo + "-advanced-" + uuid;

            Prediction first = g.predict();
            check("3a rule", first.rule(), "GRUB_SAVED_ENTRY");
            check("3a entry", first.entry(), "gnulinux-simple-" + uuid);
            compare("3a two kernels, saved_entry unset: the first entry", first, g.reboot());

            g.vm.run("grub-set-default '" + withZfs + "'", COMMAND).orFail();
            Prediction saved = g.predict();
            check("3b rule", saved.rule(), "GRUB_SAVED_ENTRY");
            check("3b entry", saved.entry(), withZfs);
            compare("3b grub-set-default to " + k, saved, g.reboot());

            g.vm.run("grub-reboot '" + withoutZfs + "'", COMMAND).orFail();
            Prediction once = g.predict();
            check("3c rule", once.rule(), "GRUB_NEXT_ENTRY");
            check("3c entry", once.entry(), withoutZfs);
            compare("3c grub-reboot to " + bpo, once, g.reboot());

            Prediction back = g.predict();
            check("3d rule", back.rule(), "GRUB_SAVED_ENTRY");
            check("3d entry", back.entry(), withZfs);
            compare("3d after the one-shot boot: back to the saved entry", back, g.reboot());

            g.vm.run("v=$(ls /usr/src | sed -n 's/^zfs-//p' | head -n 1) && dkms remove zfs/$v -k " + k, COMMAND).orFail();
            Prediction removed = g.predict();
            check("2 check exit", String.valueOf(removed.checkExit()), "1");
            compare("2 dkms remove for the next kernel " + k, removed, g.reboot());
        }
        assertThat(MISMATCHES).as("disagreements between prediction and boot").isEmpty();
    }

    private static void check(String what, String actual, String expected) {
        if (!expected.equals(actual)) {
            MISMATCHES.add(what + ": expected " + expected + ", was " + actual);
        }
    }
}
