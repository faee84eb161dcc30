package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * A fleet of two boards (Debian 12 amd64 chroots with the FAKE Armbian kernel and zfs-dkms of
 * {@link FakeKernelPackages} and the built zfsguard), run by the real tools a fleet uses:
 * <ul>
 * <li>the real {@code ansible-playbook} runs the shipped rolling upgrade playbook through
 * community.general's chroot connection, one board per batch. The first board's upgrade is
 * harmless and it reboots; the second's is the in-place kernel upgrade that leaves no ZFS module
 * for the next boot: the play stops there and that board is not rebooted. A chroot cannot
 * reboot, so the playbook's reboot and boot-id commands point at a FAKE reboot that writes a new
 * boot id;</li>
 * <li>the real {@code prometheus-node-exporter} reads each board's textfile directory, written
 * by zfsguard's own hook and by {@code zfsguard metrics --write} (the timer's command), and is
 * scraped over 127.0.0.1;</li>
 * <li>the login message, {@code check --nagios} and the Ansible local fact, on both boards.</li>
 * </ul>
 */
class FleetIT extends ChrootSuite {
    static final String TEXTFILES = "/var/lib/prometheus/node-exporter";
    static final String BOOT_ID = "/var/lib/fake-boot-id";
    static final String FAKE_REBOOT = "/usr/local/sbin/fake-reboot";
    static final String EXAMPLES = "/usr/share/doc/zfsguard/examples";

    @Test
    void thePlayRebootsOnlyTheSafeBoardAndNodeExporterShowsWhy() throws Exception {
        HostRequirements.requireTools("ansible-playbook", "ansible", "prometheus-node-exporter");
        try (Chroot safe = Chroot.bookworm("amd64"); Chroot unsafe = Chroot.bookworm("amd64")) {
            List<Path> pythonDebs = null;
            for (Chroot c : List.of(safe, unsafe)) {
                Scenarios.armbianWithZfs(c);
                Files.createDirectories(c.hostPath(TEXTFILES));
                Scenarios.installZfsguard(c, pkg);
                pythonDebs = python(c, pythonDebs);
                c.write(FAKE_REBOOT, "#!/bin/sh\n# FAKE reboot for tests: a chroot cannot reboot; a new boot id stands for one.\n"
                        + "date +%s%N > " + BOOT_ID + "\necho reboot >> /var/lib/fake-reboots\n", "rwxr-xr-x");
                c.write(BOOT_ID, "first-boot\n", "rw-r--r--");
            }
            String harmless = FakeKernelPackages.copyIn(safe, FakeKernelPackages.unrelated()).get(0);
            String kernelUpgrade = Scenarios.upgradeDeb(unsafe);

            Path work = Files.createTempDirectory("zfsguard-fleet-");
            Path inventory = work.resolve("inventory.yml");
            Files.writeString(inventory, "all:\n  vars:\n    ansible_connection: community.general.chroot\n"
                    + "    ansible_python_interpreter: /usr/bin/python3\n"
                    + "  children:\n    zfs_boards:\n      hosts:\n"
                    + "        safe-board:\n          ansible_host: " + safe.root() + "\n"
                    + "          zfsguard_upgrade_argv: [apt-get, install, -y, " + harmless + "]\n"
                    + "        unsafe-board:\n          ansible_host: " + unsafe.root() + "\n"
                    + "          zfsguard_upgrade_argv: [apt-get, install, -y, " + kernelUpgrade + "]\n");
            // The test's stand-ins: no network for apt, the FAKE reboot, and no /sys/module or zpool in a chroot.
            Files.writeString(work.resolve("test-vars.yml"), "zfsguard_update_cache: false\nzfsguard_become: false\n"
                    + "zfsguard_reboot_command: " + FAKE_REBOOT + "\nzfsguard_boot_id_command: cat " + BOOT_ID + "\n"
                    + "zfsguard_after_boot_checks: [[zfsguard, check]]\n");
            Path playbook = work.resolve("rolling-kernel-upgrade.yml");
            Files.copy(safe.hostPath(EXAMPLES + "/ansible/rolling-kernel-upgrade.yml"), playbook);

            long start = System.nanoTime();
            Exec.Result play = Exec.run(List.of("ansible-playbook", "-i", inventory.toString(), "-e", "@" + work.resolve("test-vars.yml"),
                    playbook.toString()), ansibleEnv(work), Duration.ofMinutes(10), work);
            System.out.println("---- ansible-playbook (" + (System.nanoTime() - start) / 1_000_000_000 + " s) ----\n" + play.stdout() + play.stderr());
            assertThat(play.exitCode()).as(play.describe()).isEqualTo(2);
            String recap = play.stdout().substring(play.stdout().indexOf("PLAY RECAP"));
            assertThat(recap).containsPattern("safe-board\\s+: ok=\\d+\\s+changed=\\d+\\s+unreachable=0\\s+failed=0")
                    .containsPattern("unsafe-board\\s+: ok=\\d+\\s+changed=\\d+\\s+unreachable=0\\s+failed=1");
            assertThat(play.stdout()).contains("not rebooted: zfsguard: NOT SAFE TO REBOOT");
            assertThat(safe.hostPath("/var/lib/fake-reboots")).content().isEqualTo("reboot\n");
            assertThat(unsafe.hostPath("/var/lib/fake-reboots")).as("nothing unsafe is rebooted").doesNotExist();
            assertThat(unsafe.hostPath(BOOT_ID)).content().isEqualTo("first-boot\n");

            // The hourly timer's command on the safe board; the unsafe one's file is the post-invoke hook's.
            safe.runOk("zfsguard", "metrics", "--write");
            String safeScrape = scrape(safe.hostPath(TEXTFILES));
            String unsafeScrape = scrape(unsafe.hostPath(TEXTFILES));
            System.out.println("---- node_exporter /metrics, safe board ----\n" + safeScrape
                    + "---- node_exporter /metrics, unsafe board ----\n" + unsafeScrape);
            assertThat(safeScrape).contains("zfsguard_next_boot_safe 1\n").contains("zfsguard_verdict_info{kernel=\""
                    + FakeKernelPackages.OLD_K + "\",next_boot=\"true\",running=\"false\",verdict=\"OK\"} 1\n");
            assertThat(unsafeScrape).contains("zfsguard_next_boot_safe 0\n")
                    .contains("zfsguard_verdict_info{kernel=\"" + FakeKernelPackages.NEW_K
                            + "\",next_boot=\"true\",running=\"false\",verdict=\"MISSING\"} 1\n")
                    .containsPattern("zfsguard_last_backup_timestamp_seconds \\d\\.\\d+e\\+09\n")
                    .contains("zfsguard_backup_damaged 0\n")
                    .contains("zfsguard_openzfs_linux_max_info{linux_max=")
                    .contains("node_textfile_scrape_error 0\n");

            // The login message: silent when safe, the verdict and its next step when not.
            assertThat(safe.runOk("/etc/update-motd.d/90-zfsguard").stdout()).isEmpty();
            String motd = unsafe.runOk("/etc/update-motd.d/90-zfsguard").stdout();
            System.out.println("---- login message, unsafe board ----\n" + motd);
            assertThat(motd).startsWith("zfsguard: NOT SAFE TO REBOOT").contains("next: sudo ");

            Exec.Result ok = safe.run("zfsguard", "check", "--nagios");
            Exec.Result critical = unsafe.run("zfsguard", "check", "--nagios");
            System.out.println("---- check --nagios ----\n" + ok.stdout() + critical.stdout());
            assertThat(ok.exitCode()).as(ok.describe()).isZero();
            assertThat(critical.exitCode()).as(critical.describe()).isEqualTo(2);
            assertThat(critical.stdout()).startsWith("ZFSGUARD CRITICAL - NOT SAFE TO REBOOT").contains(" | next_boot_safe=0;");

            // The shipped local fact, read by Ansible's own fact gathering.
            unsafe.runOk("install", "-D", "-m", "0755", EXAMPLES + "/ansible/zfsguard.fact", "/etc/ansible/facts.d/zfsguard.fact");
            Exec.Result fact = Exec.run(List.of("ansible", "-i", inventory.toString(), "unsafe-board", "-m", "ansible.builtin.setup",
                    "-a", "filter=ansible_local"), ansibleEnv(work), Duration.ofMinutes(3), work);
            assertThat(fact.exitCode()).as(fact.describe()).isZero();
            assertThat(fact.stdout()).contains("\"ansible_local\": {").contains("\"zfsguard\": {")
                    .containsPattern("\"overall\": \\{\\s+\"reason\": \"next boot kernel " + FakeKernelPackages.NEW_K
                            + " is MISSING[^\"]*\",\\s+\"verdict\": \"NOT_SAFE\"");
        }
    }

    /** python3 for Ansible's modules: from Debian's archive once, the same packages for the next board. */
    private static List<Path> python(Chroot c, List<Path> debs) throws IOException {
        if (debs == null) {
            c.runOk("apt-get", "update", "-q");
            c.runOk("apt-get", "install", "-y", "-q", "--no-install-recommends", "python3");
            try (Stream<Path> s = Files.list(c.hostPath("/var/cache/apt/archives"))) {
                debs = new ArrayList<>();
                Path keep = Files.createTempDirectory("zfsguard-python-");
                for (Path p : s.filter(p -> p.toString().endsWith(".deb")).toList()) {
                    debs.add(Files.copy(p, keep.resolve(p.getFileName())));
                }
            }
            return debs;
        }
        List<String> cmd = new ArrayList<>(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends"));
        for (Path d : debs) {
            c.copyIn(d, "/root/python/" + d.getFileName());
            cmd.add("/root/python/" + d.getFileName());
        }
        c.runOk(cmd.toArray(String[]::new));
        return debs;
    }

    private static java.util.Map<String, String> ansibleEnv(Path work) {
        java.util.Map<String, String> env = new java.util.HashMap<>(Exec.baseEnvironment());
        env.put("HOME", work.toString());
        env.put("ANSIBLE_NOCOLOR", "1");
        env.put("ANSIBLE_FORCE_COLOR", "0");
        env.put("ANSIBLE_LOCAL_TEMP", work.resolve("ansible-tmp").toString());
        env.put("ANSIBLE_RETRY_FILES_ENABLED", "0");
        return env;
    }

    /** Starts the real node_exporter on {@code textfiles}, scrapes /metrics once over 127.0.0.1, stops it. */
    private static String scrape(Path textfiles) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process exporter = new ProcessBuilder("prometheus-node-exporter", "--collector.disable-defaults",
                "--collector.textfile", "--collector.textfile.directory=" + textfiles,
                "--web.listen-address=127.0.0.1:" + port).redirectErrorStream(true)
                .redirectOutput(Files.createTempFile("node-exporter-", ".log").toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build();
            IOException last = null;
            for (int i = 0; i < 100; i++) {
                try {
                    HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).isEqualTo(200);
                    StringBuilder ours = new StringBuilder();
                    r.body().lines().filter(l -> l.startsWith("zfsguard_") || l.startsWith("node_textfile_scrape_error"))
                            .forEach(l -> ours.append(l).append('\n'));
                    return ours.toString();
                } catch (java.net.ConnectException e) {
                    last = e;
                    Thread.sleep(100);
                }
            }
            throw new UncheckedIOException("node_exporter did not answer on 127.0.0.1:" + port, last);
        } finally {
            exporter.destroy();
            exporter.waitFor();
        }
    }
}
