package org.zfsguard.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The coreutils-only restore that the package ships as
 * /usr/share/doc/zfsguard/restore-by-hand.sh and the README shows, run with
 * /bin/sh against a real backup.
 */
class RestoreByHandTest extends StoreTestBase {
    static final Path SCRIPT = Path.of("..", "debian-resources", "doc", "restore-by-hand.sh");

    record Run(int code, String output) {
    }

    private Run runScript(String id, Path target) throws IOException, InterruptedException {
        Path script = dir.resolve("restore-by-hand.sh");
        Files.copy(SCRIPT, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", script.toString(), id, target.toString())
                .redirectErrorStream(true);
        pb.environment().put("STORE", state.backupsDir().toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void theShellSnippetRestoresAByteIdenticalBootSet() throws Exception {
        BootSetFixture.create(rootDir, K, 40);
        BackupSet set = backup(K);
        Path target = Files.createDirectories(dir.resolve("restored"));

        Run r = runScript(set.id(), target);

        assertThat(r.code()).as(r.output()).isZero();
        assertThat(r.output()).contains("now run: depmod -b " + target + " " + K);
        Map<String, String> original = BootSetFixture.snapshot(rootDir, K);
        assertThat(original).containsKey("/lib/modules/" + K + "/kernel/crypto/" + BootSetFixture.ODD_NAME);
        assertThat(BootSetFixture.snapshot(target, K)).isEqualTo(original);
    }

    @Test
    void theShellSnippetStopsOnADamagedBlobBeforeWritingAnything() throws Exception {
        BootSetFixture.create(rootDir, K, 41);
        BackupSet set = backup(K);
        ManifestEntry e = set.manifest().entries().stream().filter(x -> x.type() == EntryType.FILE).findFirst().orElseThrow();
        Path blob = store().blobs().pathOf(e.sha256());
        byte[] b = Files.readAllBytes(blob);
        b[0] ^= 1;
        Files.write(blob, b);
        Path target = Files.createDirectories(dir.resolve("restored"));

        Run r = runScript(set.id(), target);

        assertThat(r.code()).isNotZero();
        assertThat(r.output()).contains("is damaged");
        try (var s = Files.list(target)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void theShellSnippetRefusesAnIncompleteManifest() throws Exception {
        BootSetFixture.create(rootDir, K, 42);
        BackupSet set = backup(K);
        Path m = set.dir().resolve("manifest");
        String text = Files.readString(m);
        Files.writeString(m, text.substring(0, text.lastIndexOf("#end")));
        Path target = Files.createDirectories(dir.resolve("restored"));

        Run r = runScript(set.id(), target);

        assertThat(r.code()).isNotZero();
        assertThat(r.output()).contains("incomplete or damaged");
    }

    // ---- hostile manifests and targets: the script never writes outside the root or through a symlink

    /** Rewrites the manifest of {@code set} with {@code edit} applied to its entry lines, trailer recomputed. */
    static void forge(BackupSet set, java.util.function.UnaryOperator<java.util.List<String>> edit) throws IOException {
        Path m = set.dir().resolve("manifest");
        java.util.List<String> lines = new java.util.ArrayList<>(Files.readAllLines(m, StandardCharsets.UTF_8));
        lines.remove(lines.size() - 1);
        java.util.List<String> head = lines.stream().filter(l -> l.startsWith("#")).toList();
        java.util.List<String> entries = edit.apply(new java.util.ArrayList<>(lines.stream().filter(l -> !l.startsWith("#")).toList()));
        StringBuilder body = new StringBuilder();
        head.forEach(l -> body.append(l).append('\n'));
        entries.forEach(l -> body.append(l).append('\n'));
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        Files.writeString(m, body + "#end\t" + entries.size() + "\t" + Hashing.sha256Hex(bytes, 0, bytes.length) + "\n");
    }

    /** A file entry line of {@code set} whose content is {@code path}'s, renamed to {@code newPath}. */
    static String fileLineAs(BackupSet set, String path, String newPath) throws IOException {
        String line = Files.readAllLines(set.dir().resolve("manifest")).stream()
                .filter(l -> l.startsWith("f\t") && l.split("\t")[6].equals(path)).findFirst().orElseThrow();
        String[] f = line.split("\t");
        f[6] = newPath;
        return String.join("\t", f);
    }

    Path outside() throws IOException {
        Path o = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(o.resolve("precious"), "keep me\n");
        return o;
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "/lib/modules/" + K + "/../../../outside/precious",
        "/boot/../outside/precious",
        "/lib/modules/" + K + "/./kernel/x.ko",
        "/etc/cron.d/evil",
        "/boot/vmlinuz-6.1.0-9-amd64",
        "/var/lib/dkms/zfs/2.2.2/other-kernel/x",
        "/var/lib/dkms/zfs/kernel-" + K + "-aarch64/x"})
    void aManifestPathWithDotsOrOutsideTheBootSetIsRefusedBeforeAnythingIsWritten(String hostile) throws Exception {
        BootSetFixture.create(rootDir, K, 43);
        BackupSet set = backup(K);
        String line = fileLineAs(set, "/boot/config-" + K, hostile);
        forge(set, lines -> {
            lines.add(line);
            return lines;
        });
        Path target = Files.createDirectories(dir.resolve("restored"));
        Path o = outside();

        Run r = runScript(set.id(), target);

        assertThat(r.code()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("refusing " + hostile);
        try (var s = Files.list(target)) {
            assertThat(s).as("nothing written").isEmpty();
        }
        assertThat(Files.readString(o.resolve("precious"))).isEqualTo("keep me\n");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void aSymlinkInsideTheBootSetOfTheTargetIsRefusedNotFollowed(boolean absolute) throws Exception {
        BootSetFixture.create(rootDir, K, 44);
        BackupSet set = backup(K);
        Path target = Files.createDirectories(dir.resolve("restored"));
        Path o = outside();
        Path kernelDir = Files.createDirectories(target.resolve("lib/modules/" + K));
        Files.createSymbolicLink(kernelDir.resolve("kernel"), absolute ? o : kernelDir.relativize(o));

        Run r = runScript(set.id(), target);

        assertThat(r.code()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("/lib/modules/" + K + "/kernel is a symlink");
        try (var s = Files.list(o)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("precious");
        }
    }

    @Test
    void aParentSymlinkLeadingOutOfTheRootIsRefusedAndAMergedUsrLinkWorks() throws Exception {
        BootSetFixture.create(rootDir, K, 45);
        BackupSet set = backup(K);
        Path target = Files.createDirectories(dir.resolve("restored"));
        Path o = outside();
        Files.createSymbolicLink(target.resolve("boot"), o);

        Run r = runScript(set.id(), target);
        assertThat(r.code()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("/boot leads out of " + target);
        try (var s = Files.list(o)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("precious");
        }

        // a relative merged-/usr link stays inside the root: followed, as the target system would
        Files.delete(target.resolve("boot"));
        Files.createDirectories(target.resolve("usr/lib"));
        Files.createSymbolicLink(target.resolve("lib"), Path.of("usr/lib"));
        Run ok = runScript(set.id(), target);
        assertThat(ok.code()).as(ok.output()).isZero();
        assertThat(target.resolve("usr/lib/modules/" + K + "/updates/dkms/zfs.ko")).isRegularFile();
    }

    @Test
    void aSymlinkTheManifestItselfCreatesIsNeverWrittenThrough() throws Exception {
        BootSetFixture.create(rootDir, K, 48);
        BackupSet set = backup(K);
        Path o = outside();
        String file = fileLineAs(set, "/boot/config-" + K, "/lib/modules/" + K + "/zz/precious");
        forge(set, lines -> {
            lines.add("l\t0777\t0\t0\t0\t-\t/lib/modules/" + K + "/zz\t" + o);
            lines.add(file);
            return lines;
        });
        Path target = Files.createDirectories(dir.resolve("restored"));

        Run r = runScript(set.id(), target);

        assertThat(r.code()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("/lib/modules/" + K + "/zz is a symlink");
        assertThat(Files.readString(o.resolve("precious"))).isEqualTo("keep me\n");
    }

    @Test
    void aPlantedRestoreNewSymlinkIsReplacedNotWrittenThrough() throws Exception {
        BootSetFixture.create(rootDir, K, 46);
        BackupSet set = backup(K);
        Path target = Files.createDirectories(dir.resolve("restored"));
        Path o = outside();
        Files.createDirectories(target.resolve("boot"));
        Files.createSymbolicLink(target.resolve("boot/vmlinuz-" + K + ".restore-new"), o.resolve("precious"));

        Run r = runScript(set.id(), target);

        assertThat(r.code()).as(r.output()).isZero();
        assertThat(Files.readString(o.resolve("precious"))).isEqualTo("keep me\n");
        assertThat(BootSetFixture.snapshot(target, K)).isEqualTo(BootSetFixture.snapshot(rootDir, K));
    }

    @Test
    void aSymlinkWhereTheBackupHasADirectoryIsNeitherFilledNorChmodded() throws Exception {
        BootSetFixture.create(rootDir, K, 47);
        BackupSet set = backup(K);
        Path target = Files.createDirectories(dir.resolve("restored"));
        Path o = outside();
        Files.setPosixFilePermissions(o, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(target.resolve("boot"));
        Files.createSymbolicLink(target.resolve("boot/dtb-" + K), o);

        Run r = runScript(set.id(), target);

        assertThat(r.code()).as(r.output()).isNotZero();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(o))).isEqualTo("rwxr-xr-x");
        try (var s = Files.list(o)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("precious");
        }
    }
}
