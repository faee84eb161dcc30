package org.zfsguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.system.SystemRoot;

class ConfigTest {
    @TempDir
    Path dir;
    SystemRoot root;
    Path etc;
    Path dropIns;

    @BeforeEach
    void setUp() throws IOException {
        root = SystemRoot.at(dir);
        etc = Files.createDirectories(dir.resolve("etc/zfsguard"));
        dropIns = etc.resolve("zfsguard.conf.d");
    }

    private void main(String text) throws IOException {
        Files.writeString(etc.resolve("zfsguard.conf"), text);
    }

    private Path dropIn(String name, String text) throws IOException {
        Files.createDirectories(dropIns);
        return Files.writeString(dropIns.resolve(name), text);
    }

    @Test
    void noFileAtAllIsTheDefaults() throws ConfigException {
        assertThat(Config.load(root)).isEqualTo(Config.defaults());
    }

    @Test
    void everyKeyOfTheMainFileIsRead() throws Exception {
        main("max_temp = 75\nresume_temp = 60\njobs = 2\nbuild = deferred\npreflight = warn\nkeep_kernels = 3\nreserve_mib = 100\n");
        assertThat(Config.load(root)).isEqualTo(new Config(75, 60, 2, Config.BuildPolicy.DEFERRED,
                Config.PreflightMode.WARN, 3, 100));
    }

    @Test
    void dropInsApplyInLexicalOrderAfterTheMainFileAndTheLaterOneWins() throws Exception {
        main("jobs = 2\nkeep_kernels = 4\n");
        dropIn("50-image.conf", "jobs = 3\npreflight = warn\n");
        dropIn("10-first.conf", "jobs = 8\nbuild = deferred\n");
        dropIn("90-site.conf", "preflight = off\n");
        dropIn("99-ignored.conf.dpkg-old", "jobs = 64\n");
        dropIn("README", "not = read\n");
        Config c = Config.load(root);
        assertThat(c.jobs()).isEqualTo(3);
        assertThat(c.preflight()).isEqualTo(Config.PreflightMode.OFF);
        assertThat(c.build()).isEqualTo(Config.BuildPolicy.DEFERRED);
        assertThat(c.keepKernels()).isEqualTo(4);
    }

    @Test
    void aBadValueNamesTheFileAndLineThatSetIt() throws Exception {
        main("jobs = 2\n");
        dropIn("20-x.conf", "\n# comment\njobs = 0\nmax_tmp = 70\n");
        assertThatThrownBy(() -> Config.load(root)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(Config.DROP_IN_DIR + "/20-x.conf:3: jobs = 0 is outside 1..64")
                .hasMessageContaining(Config.DROP_IN_DIR + "/20-x.conf:4: unknown key 'max_tmp'");
    }

    @Test
    void aKeyTwiceInOneFileIsAMistakeButOneFileOverridingAnotherIsNot() throws Exception {
        dropIn("10-a.conf", "jobs = 2\njobs = 3\n");
        assertThatThrownBy(() -> Config.load(root)).hasMessageContaining("10-a.conf:2: 'jobs' is set twice");
        dropIn("10-a.conf", "jobs = 2\n");
        dropIn("20-b.conf", "jobs = 3\n");
        assertThat(Config.load(root).jobs()).isEqualTo(3);
    }

    @Test
    void resumeMustStayBelowMaxAcrossFiles() throws Exception {
        main("resume_temp = 70\n");
        dropIn("10-cool.conf", "max_temp = 65\n");
        assertThatThrownBy(() -> Config.load(root)).hasMessageContaining("resume_temp (70) must be below max_temp (65)");
    }

    @Test
    void aSymlinkOutOfTheRootIsRefusedAndNeverRead() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "password = hunter2\n");
        Files.createDirectories(dropIns);
        Files.createSymbolicLink(dropIns.resolve("10-evil.conf"), Path.of("../../../../../../../../" + secret));
        assertThatThrownBy(() -> Config.load(root)).hasMessageContaining("10-evil.conf: a symlink that leads out of /etc/zfsguard")
                .hasMessageNotContaining("hunter2");
        Files.delete(dropIns.resolve("10-evil.conf"));
        Files.createSymbolicLink(dropIns.resolve("10-abs.conf"), Path.of("/etc/passwd"));
        assertThatThrownBy(() -> Config.load(root)).hasMessageContaining("10-abs.conf: a symlink that leads out of /etc/zfsguard");
    }

    @Test
    void aSymlinkToAnotherFileOfZfsguardIsFollowed() throws Exception {
        Files.writeString(etc.resolve("shared-site"), "jobs = 4\n");
        Files.createDirectories(dropIns);
        Files.createSymbolicLink(dropIns.resolve("50-site.conf"), Path.of("/etc/zfsguard/shared-site"));
        assertThat(Config.load(root).jobs()).isEqualTo(4);
    }

    @Test
    void aFifoIsRefusedWithoutOpeningIt() throws Exception {
        Files.createDirectories(dropIns);
        Process p = new ProcessBuilder("mkfifo", dropIns.resolve("10-pipe.conf").toString()).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        // Opening a FIFO with no writer would block forever: a prompt answer proves it was not opened.
        assertThatThrownBy(() -> Config.load(root)).hasMessageContaining("10-pipe.conf: not a regular file");
    }

    @Test
    void aDirectoryNamedLikeADropInIsRefused() throws Exception {
        Files.createDirectories(dropIns.resolve("10-dir.conf"));
        assertThatThrownBy(() -> Config.load(root)).hasMessageContaining("10-dir.conf: not a regular file");
    }

    @Test
    void aHugeFileIsRefusedUnread() throws Exception {
        Files.createDirectories(dropIns);
        try (RandomAccessFile f = new RandomAccessFile(dropIns.resolve("10-huge.conf").toFile(), "rw")) {
            f.setLength(1L << 30); // sparse: a gigabyte that costs nothing on disk
        }
        assertThatThrownBy(() -> Config.load(root)).hasMessageContaining("10-huge.conf: larger than 65536 bytes");
    }

    @Test
    void tooManyDropInsAreRefusedAsAWhole() throws Exception {
        for (int i = 0; i <= Config.MAX_DROP_INS; i++) {
            dropIn(String.format("%03d.conf", i), "jobs = 1\n");
        }
        assertThatThrownBy(() -> Config.load(root)).hasMessageContaining("more than " + Config.MAX_DROP_INS + " drop-ins");
    }

    @Test
    void notUtf8AndOddNamesAreNamed() throws Exception {
        Files.createDirectories(dropIns);
        Files.write(dropIns.resolve("10-latin1.conf"), "jobs = 2 \u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        dropIn("-x.conf", "jobs = 2\n");
        assertThatThrownBy(() -> Config.load(root)).hasMessageContaining("10-latin1.conf: not valid UTF-8 text")
                .hasMessageContaining("-x.conf: not a drop-in name");
    }
}
