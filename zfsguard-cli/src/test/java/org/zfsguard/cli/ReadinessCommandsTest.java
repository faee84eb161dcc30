package org.zfsguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

class ReadinessCommandsTest {
    static final String K1 = "6.1.0-9-amd64";
    static final String K2 = "6.1.0-56-amd64";

    @TempDir
    Path root;


    CliRun run(String... args) {
        return CliRun.in(root, args);
    }

    @AfterEach
    void reset() {
        GlobalOptions.reset();
    }

    void write(String absolute, byte[] content) throws IOException {
        Path p = root.resolve(absolute.substring(1));
        Files.createDirectories(p.getParent());
        Files.write(p, content);
    }

    /** A kernel with its headers, so that rebuild alone is the step to suggest. */
    void kernel(String k) throws IOException {
        write("/lib/modules/" + k + "/modules.dep", new byte[0]);
        write("/boot/vmlinuz-" + k, new byte[] {1});
        write("/usr/src/linux-headers-" + k + "/include/generated/utsrelease.h", new byte[0]);
    }

    void zfs(String k, String builtFor) throws IOException {
        for (String m : new String[] {"zfs", "spl"}) {
            write("/lib/modules/" + k + "/updates/dkms/" + m + ".ko", elf("name=" + m + "\0version=2.2.7-1\0vermagic=" + builtFor + " SMP mod_unload \0"));
        }
    }

    void meta() throws IOException {
        write("/usr/src/zfs-2.2.7/META", "Version: 2.2.7\nRelease: 1\nLinux-Maximum: 6.12\nLinux-Minimum: 4.18\n"
                .getBytes(StandardCharsets.US_ASCII));
    }

    /** Minimal little-endian ELF64 relocatable with a .modinfo section. */
    static byte[] elf(String modinfo) {
        byte[] info = modinfo.getBytes(StandardCharsets.US_ASCII);
        byte[] names = "\0.modinfo\0.shstrtab\0".getBytes(StandardCharsets.US_ASCII);
        int shoff = (64 + info.length + names.length + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(shoff + 3 * 64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1}).position(16);
        b.putShort((short) 1).putShort((short) 62).putInt(1).putLong(0).putLong(0).putLong(shoff).putInt(0)
                .putShort((short) 64).putShort((short) 0).putShort((short) 0).putShort((short) 64).putShort((short) 3)
                .putShort((short) 2);
        b.put(info).put(names);
        b.position(shoff + 64);
        b.putInt(1).putInt(1).putLong(2).putLong(0).putLong(64).putLong(info.length);
        b.position(shoff + 128);
        b.putInt(10).putInt(3).putLong(0).putLong(0).putLong(64 + info.length).putLong(names.length);
        return b.array();
    }

    void wrongKernelBug() throws IOException {
        kernel(K1);
        kernel(K2);
        zfs(K1, K1);
        meta();
        grubBoots(K2);
    }

    /** A grub.cfg in grub-mkconfig's shape whose default entry loads {@code k}. */
    void grubBoots(String k) throws IOException {
        write("/boot/grub/grub.cfg", ("if [ \"${next_entry}\" ] ; then\n   set default=\"${next_entry}\"\nelse\n   set default=\"0\"\nfi\n"
                + "menuentry 'Debian GNU/Linux' --class debian $menuentry_id_option 'gnulinux-simple-1234' {\n"
                + "\tlinux\t/boot/vmlinuz-" + k + " root=UUID=1234 ro  quiet\n}\n").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void checkSaysSafeAndExitsZero() throws IOException {
        kernel(K2);
        zfs(K2, K2);
        meta();
        grubBoots(K2);
        CliRun r = run("check");
        assertThat(r.code()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).startsWith("zfsguard: SAFE TO REBOOT").contains(K2);
        assertThat(r.out().strip().lines()).hasSize(1);
    }

    @Test
    void checkCatchesTheWrongKernelBugWithExitOne() throws IOException {
        wrongKernelBug();
        CliRun r = run("check");
        assertThat(r.code()).isEqualTo(ExitCodes.NOT_SAFE);
        assertThat(r.out().strip().lines()).singleElement().asString()
                .startsWith("zfsguard: NOT SAFE TO REBOOT").contains(K2).contains("; next: sudo zfsguard --root " + root + " rebuild --kernel " + K2);
    }

    @Test
    void statusPrintsATableAndTheNextCommands() throws IOException {
        wrongKernelBug();
        CliRun r = run("status");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("KERNEL", "BOOT", "ZFS MODULE", "VERMAGIC", "ZFS VERSION", "INITRAMFS", "VERDICT");
        assertThat(r.out().lines().filter(l -> l.startsWith(K2))).singleElement().asString()
                .contains("next").contains("missing").endsWith("MISSING");
        assertThat(r.out().lines().filter(l -> l.startsWith(K1))).singleElement().asString()
                .contains("updates/dkms/zfs.ko").contains("match").contains("2.2.7-1").endsWith("OK");
        assertThat(r.out()).contains("NOT SAFE TO REBOOT", "Problems:", "    next: sudo zfsguard --root " + root + " rebuild --kernel " + K2);
        assertThat(r.out()).contains("next boot: " + K2 + " (GRUB default in grub.cfg: /boot/grub/grub.cfg default=\"0\": entry");
    }

    @Test
    void statusJsonHasTheDocumentedFields() throws IOException {
        wrongKernelBug();
        CliRun r = run("status", "--json");
        assertThat(r.code()).isZero();
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertThat(o.get("schema").getAsInt()).isEqualTo(2);
        assertThat(o.getAsJsonObject("overall").get("verdict").getAsString()).isEqualTo("NOT_SAFE");
        assertThat(o.getAsJsonObject("nextBoot").get("kernel").getAsString()).isEqualTo(K2);
        assertThat(o.getAsJsonObject("nextBoot").get("rule").getAsString()).isEqualTo("GRUB_DEFAULT");
        assertThat(o.getAsJsonObject("nextBoot").get("entry").getAsString()).isEqualTo("gnulinux-simple-1234");
        assertThat(o.getAsJsonObject("running").get("kernel").isJsonNull()).isTrue();
        assertThat(o.getAsJsonObject("openzfs").get("linuxMaximum").getAsString()).isEqualTo("6.12");
        var kernels = o.getAsJsonArray("kernels");
        assertThat(kernels).hasSize(2);
        JsonObject newest = kernels.get(0).getAsJsonObject();
        assertThat(newest.get("kernel").getAsString()).isEqualTo(K2);
        assertThat(newest.get("verdict").getAsString()).isEqualTo("MISSING");
        assertThat(newest.get("zfs").isJsonNull()).isTrue();
        assertThat(newest.get("next").getAsString()).isEqualTo("sudo zfsguard --root " + root + " rebuild --kernel " + K2);
        JsonObject oldest = kernels.get(1).getAsJsonObject();
        assertThat(oldest.getAsJsonObject("zfs").get("vermagicMatches").getAsBoolean()).isTrue();
        assertThat(oldest.getAsJsonObject("zfs").get("version").getAsString()).isEqualTo("2.2.7-1");
        assertThat(oldest.getAsJsonObject("initramfs").get("state").getAsString()).isEqualTo("NOT_USED");
        assertThat(oldest.get("verdict").getAsString()).isEqualTo("OK");
        assertThat(StatusSchema.problems(r.out())).isEmpty();
    }

    @Test
    void everyReportConformsToTheShippedSchema() throws IOException {
        kernel(K2);
        assertThat(StatusSchema.problems(run("status", "--json").out())).as("no ZFS").isEmpty();
        GlobalOptions.reset();
        wrongKernelBug();
        zfs(K2, K2);
        CliRun safe = run("status", "--json");
        assertThat(safe.out()).contains("\"SAFE\"");
        assertThat(StatusSchema.problems(safe.out())).as("safe").isEmpty();
        GlobalOptions.reset();
        write("/lib/modules/" + K2 + "/updates/dkms/zfs.ko", "not an ELF file".getBytes(StandardCharsets.UTF_8));
        Files.createDirectories(root.resolve("lib/modules/not a kernel"));
        CliRun odd = run("status", "--json");
        assertThat(odd.out()).contains("\"problem\"", "\"rejected\"");
        assertThat(StatusSchema.problems(odd.out())).as("unreadable module, rejected entry").isEmpty();
    }

    @Test
    void theSchemaRefusesTheSpellingsAndPlaceholdersItRulesOut() throws IOException {
        wrongKernelBug();
        String json = run("status", "--json").out();
        assertThat(StatusSchema.problems(json)).isEmpty();
        assertThat(StatusSchema.problems(json.replace("\"MISSING\"", "\"NOT-IN-INITRAMFS\""))).isNotEmpty();
        assertThat(StatusSchema.problems(json.replace("\"kernel\": null", "\"kernel\": \"(none)\""))).isNotEmpty();
        assertThat(StatusSchema.problems(json.replace("\"schema\": 2", "\"schema\": 1"))).isNotEmpty();
    }

    @Test
    void noZfsAtAllStatusZeroCheckTwo() throws IOException {
        kernel(K2);
        CliRun s = run("status");
        assertThat(s.code()).isZero();
        assertThat(s.out()).startsWith("NO ZFS: ZFS is not installed on this system").contains(K2);
        GlobalOptions.reset();
        CliRun c = run("check");
        assertThat(c.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(c.out()).contains("NO ZFS: ZFS is not installed");
    }

    @Test
    void unreadableModuleMakesCheckSayItCannotTell() throws IOException {
        kernel(K2);
        meta();
        grubBoots(K2);
        write("/lib/modules/" + K2 + "/updates/dkms/zfs.ko", "\u007fELF truncated".getBytes(StandardCharsets.US_ASCII));
        CliRun r = run("check");
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.out()).startsWith("zfsguard: CANNOT TELL whether the next reboot is safe: ").contains("zfs.ko");
    }

    @Test
    void loopingModuleTreeMakesCheckSayItCannotTellInOneLine() throws IOException {
        write("/boot/vmlinuz-" + K2, new byte[] {1});
        meta();
        grubBoots(K2);
        Files.createDirectories(root.resolve("lib"));
        Files.createSymbolicLink(root.resolve("lib/modules"), Path.of("/lib/modules"));
        CliRun r = run("check");
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.out().strip().lines()).singleElement().asString()
                .startsWith("zfsguard: CANNOT TELL whether the next reboot is safe: ")
                .contains("/lib/modules: symlink loop").contains("next: ").doesNotContain("MISSING");
        assertThat(r.err()).doesNotContain("Exception");
    }

    @Test
    void hostileNamesNeverReachTheTerminalRawOrCrash() throws IOException {
        wrongKernelBug();
        Files.createDirectories(root.resolve("lib/modules/6.1.0-1\n\u001b[2J-amd64/kernel"));
        Files.createSymbolicLink(root.resolve("lib/modules/6.1.0-2-amd64"), Path.of("6.1.0-2-amd64"));
        CliRun r = run("status");
        assertThat(r.code()).isZero();
        assertThat(r.out()).doesNotContain("\u001b").contains("\\x0a\\x1b[2J").contains("symlink loop");
        assertThat(r.err()).doesNotContain("Exception");
        GlobalOptions.reset();
        CliRun j = run("status", "--json");
        assertThat(JsonParser.parseString(j.out()).getAsJsonObject().getAsJsonArray("rejected")).hasSize(2);
    }
}
