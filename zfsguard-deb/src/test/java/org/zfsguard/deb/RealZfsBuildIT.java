package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * A real ZFS build: Debian 12 amd64 chroot with dkms, zfs-dkms (contrib), a kernel and its
 * headers, and zfsguard. DKMS's own build (zfs-dkms's postinst) runs under the
 * /etc/dkms/zfs.conf block zfsguard's postinst added; then the module is removed, status
 * says MISSING and {@code zfsguard rebuild --dry-run} names the exact DKMS command. With
 * {@code -DlongMatrix=true}, {@code zfsguard rebuild --jobs 1 --yes} then builds it for real
 * (and again with two jobs, for the figures). A sampler on the host counts the chroot's
 * compiler processes all along. One full build takes 15-20 minutes on one core.
 */
// The compiler sampler is closed by hand before the assertions read its count.
@SuppressWarnings("try")
class RealZfsBuildIT extends ChrootSuite {
    private static final Duration LONG = Duration.ofMinutes(45);
    private static final Pattern DKMS_LINE = Pattern.compile("(?m)^zfs/([0-9][0-9.]*)[,/] ?([^,:]+)[,:]");

    /**
     * Counts the compilers of one chroot: cc1 processes whose root is the chroot (the
     * gcc driver and as come and go around each cc1; cc1 is the one that does the work).
     * {@code module} counts those compiling ZFS's own sources (MAKE[0]); the rest are
     * OpenZFS's configure checks (DKMS's PRE_BUILD, bounded by TEST_JOBS).
     */
    static final class CompilerSampler implements AutoCloseable {
        private final Path chrootRoot;
        private final Thread thread;
        private final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger maxAll = new AtomicInteger();
        final AtomicInteger maxModule = new AtomicInteger();
        final AtomicInteger samplesWithCompiler = new AtomicInteger();

        CompilerSampler(Path chrootRoot) {
            this.chrootRoot = chrootRoot.toAbsolutePath();
            this.thread = new Thread(this::loop, "compiler-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            while (!stop.get()) {
                int all = 0;
                int module = 0;
                try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
                    for (Path p : procs) {
                        try {
                            String comm = Files.readString(p.resolve("comm"), StandardCharsets.UTF_8).strip();
                            if (!comm.equals("cc1")) {
                                continue;
                            }
                            if (!Files.readSymbolicLink(p.resolve("root")).startsWith(chrootRoot)) {
                                continue;
                            }
                            all++;
                            String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                            if (cmdline.contains("/module/")) {
                                module++;
                            }
                        } catch (IOException | RuntimeException e) {
                            // the process ended while being looked at
                        }
                    }
                } catch (IOException e) {
                    // /proc unreadable for a moment: next sample
                }
                maxAll.accumulateAndGet(all, Math::max);
                maxModule.accumulateAndGet(module, Math::max);
                if (all > 0) {
                    samplesWithCompiler.incrementAndGet();
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.interrupt();
            thread.join(5000);
        }
    }

    @Test
    void zfsguardRebuildsARemovedModuleForRealWithOneCompilerAtATime() throws Exception {
        try (Chroot c = Chroot.bookworm("amd64")) {
            c.runOk("sed", "-i", "s/ main$/ main contrib/", "/etc/apt/sources.list");
            assertThat(c.hostPath("/etc/apt/sources.list")).content().contains("contrib");
            c.runOk("apt-get", "update");
            // zfsguard first, as on a board that has it; without DKMS it leaves /etc/dkms alone.
            c.copyIn(pkg.deb(), pkg.chrootPath());
            c.runOk("apt-get", "install", "-y", pkg.chrootPath());
            assertThat(c.hostPath("/etc/dkms")).doesNotExist();
            // zfsguard never builds for a kernel that is not installed: the image, not only headers.
            c.run(LONG, "apt-get", "install", "-y", "--no-install-recommends", "linux-image-amd64",
                    "linux-headers-amd64", "dkms").orFail();
            // DKMS arriving fires zfsguard's trigger, which adds the block before zfs-dkms builds anything.
            assertThat(c.hostPath("/etc/dkms/zfs.conf")).content().contains("# >>> zfsguard:");

            long dkmsStart = System.nanoTime();
            Exec.Result zfsDkms;
            int dkmsOwnMaxAll;
            int dkmsOwnMaxModule;
            try (CompilerSampler s = new CompilerSampler(c.root())) {
                zfsDkms = c.run(LONG, "apt-get", "install", "-y", "--no-install-recommends", "zfs-dkms").orFail();
                s.close();
                dkmsOwnMaxAll = s.maxAll.get();
                dkmsOwnMaxModule = s.maxModule.get();
            }
            Duration dkmsOwn = Duration.ofNanos(System.nanoTime() - dkmsStart);
            String status = c.runOk("dkms", "status").stdout();
            Matcher m = DKMS_LINE.matcher(status);
            assertThat(m.find()).as("dkms status after zfs-dkms: " + status + "\n" + zfsDkms.describe()).isTrue();
            String version = m.group(1);
            String kernel = m.group(2).strip();
            assertThat(status).as(status).contains("installed");

            c.runOk("dkms", "remove", "zfs/" + version, "-k", kernel);
            Exec.Result before = c.run("zfsguard", "status");
            assertThat(before.stdout()).as(before.describe()).contains(kernel).contains("MISSING");

            Exec.Result dry = c.run("zfsguard", "rebuild", "--dry-run");
            assertThat(dry.exitCode()).as(dry.describe()).isZero();
            assertThat(dry.stdout()).as(dry.describe())
                    .contains("/usr/sbin/dkms install zfs/" + version + " -k " + kernel + " -j 1");

            // A second full build of OpenZFS takes 15-20 minutes on one core here, more than CI's
            // budget can spare beside DKMS's own build above; the developer's long matrix runs it.
            if (!Boolean.getBoolean("zfsguard.longMatrix")) {
                System.out.println("zfsguard rebuild --jobs 1 --yes: not run (a second full build: -DlongMatrix=true)");
                return;
            }
            long start = System.nanoTime();
            Exec.Result rebuild;
            int maxAll;
            int maxModule;
            int samples;
            try (CompilerSampler s = new CompilerSampler(c.root())) {
                rebuild = c.run(LONG, "zfsguard", "rebuild", "--jobs", "1", "--yes");
                s.close();
                maxAll = s.maxAll.get();
                maxModule = s.maxModule.get();
                samples = s.samplesWithCompiler.get();
            }
            Duration wall = Duration.ofNanos(System.nanoTime() - start);
            System.out.println("real zfs-dkms build by DKMS itself (apt-get install zfs-dkms, zfsguard's block): "
                    + dkmsOwn.toSeconds() + " s, max concurrent cc1 " + dkmsOwnMaxAll + " (ZFS sources: "
                    + dkmsOwnMaxModule + ")");
            System.out.println("zfsguard rebuild --jobs 1 of zfs " + version + " for " + kernel + ": wall "
                    + wall.toSeconds() + " s, max concurrent cc1 " + maxAll + " (ZFS sources: " + maxModule
                    + "), samples with a compiler " + samples);
            assertThat(rebuild.exitCode()).as(rebuild.describe()).isZero();
            assertThat(rebuild.stdout()).as(rebuild.describe()).contains("built and verified").contains("SAFE TO REBOOT")
                    .doesNotContain("NOT SAFE TO REBOOT");
            assertThat(samples).as("the sampler saw the build's compilers").isPositive();
            assertThat(maxModule).as("compilers of ZFS's sources at once, --jobs 1").isEqualTo(1);
            assertThat(maxAll).as("compilers at once, configure included, --jobs 1").isEqualTo(1);
            assertThat(dkmsOwnMaxAll).as("compilers at once in DKMS's own build (the zfs.conf block)").isLessThanOrEqualTo(1);

            String json = c.runOk("zfsguard", "status", "--json").stdout().replaceAll("\\s+", "");
            int at = json.indexOf("\"kernel\":\"" + kernel + "\",\"running\"");
            assertThat(at).as(json).isNotNegative();
            String row = json.substring(at);
            assertThat(row.substring(0, row.indexOf("\"next\""))).as(json).contains("\"verdict\":\"OK\"");
            Matcher vm = Pattern.compile("\"zfs\":\\{\"path\":\"([^\"]*)\",\"vermagic\":\"([^\"]*)\"").matcher(row);
            assertThat(vm.find()).as(row).isTrue();
            String modinfo = c.runOk("modinfo", "-F", "vermagic", vm.group(1)).stdout().strip();
            assertThat(modinfo).startsWith(kernel + " ").startsWith(vm.group(2) + " ");
            assertThat(c.hostPath("/var/lib/zfsguard/events.jsonl")).content().contains("\"event\":\"rebuild-finished\"");

            // The same build with two jobs, for the figures: how much a second job buys. It decides
            // nothing that the build above did not, so CI leaves it to the developer's long matrix.
            if (!Boolean.getBoolean("zfsguard.longMatrix")) {
                System.out.println("zfsguard rebuild --jobs 2: not run (it is for the figures: -DlongMatrix=true)");
                return;
            }
            c.runOk("dkms", "remove", "zfs/" + version, "-k", kernel);
            long start2 = System.nanoTime();
            Exec.Result rebuild2;
            int maxAll2;
            try (CompilerSampler s = new CompilerSampler(c.root())) {
                rebuild2 = c.run(LONG, "zfsguard", "rebuild", "--jobs", "2", "--yes");
                s.close();
                maxAll2 = s.maxAll.get();
            }
            Duration wall2 = Duration.ofNanos(System.nanoTime() - start2);
            System.out.println("zfsguard rebuild --jobs 2 of zfs " + version + " for " + kernel + ": wall "
                    + wall2.toSeconds() + " s, max concurrent cc1 " + maxAll2);
            assertThat(rebuild2.exitCode()).as(rebuild2.describe()).isZero();
            assertThat(maxAll2).as("compilers at once, --jobs 2").isBetween(1, 2);
        }
    }
}
