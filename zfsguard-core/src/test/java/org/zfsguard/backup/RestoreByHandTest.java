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
        Files.copy(SCRIPT, script);
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
}
