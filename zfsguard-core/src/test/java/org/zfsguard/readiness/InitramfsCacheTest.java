package org.zfsguard.readiness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.testing.FixtureSystem;
import org.zfsguard.testing.FixtureSystem.InitrdCompression;
import org.zfsguard.testing.ModuleFixtures.Arch;

class InitramfsCacheTest {
    static final String K = "6.1.0-56-amd64";

    @TempDir
    Path dir;

    FixtureSystem system() {
        FixtureSystem fx = new FixtureSystem(dir).arch(Arch.X86_64).kernel(K, null).dkmsZfs(K, "2.2.7-1")
                .packageInstalled("zfs-initramfs");
        fx.initrd("/boot/initrd.img-" + K, K, InitrdCompression.GZIP, true, "2.2.7-1", K);
        return fx;
    }

    KernelReadiness evaluate() {
        return new ReadinessEngine(SystemRoot.at(dir)).evaluate().kernels().get(0);
    }

    @Test
    void resultsAreRememberedAndUsedWhileTheImageIsUnchanged() throws Exception {
        FixtureSystem fx = system().mkdir(InitramfsCache.DIR);
        assertThat(evaluate().verdict()).isEqualTo(Verdict.OK);
        Path cache = fx.path(InitramfsCache.FILE);
        String text = Files.readString(cache);
        assertThat(text).startsWith(K + "\t/boot/initrd.img-" + K + "\t").contains("\tPRESENT\tcpio+gzip+cpio\t" + K + "\t2.2.7-1\t");
        // A lying entry for the same identity is believed: proof the image was not read again.
        Files.writeString(cache, text.replace("\tPRESENT\t", "\tMISSING\t"));
        assertThat(evaluate().verdict()).isEqualTo(Verdict.NOT_IN_INITRAMFS);
        // Rewriting the image changes its identity, so it is read again.
        fx.initrd("/boot/initrd.img-" + K, K, InitrdCompression.ZSTD, false, "2.2.7-1", K);
        KernelReadiness again = evaluate();
        assertThat(again.verdict()).isEqualTo(Verdict.OK);
        assertThat(again.facts().initramfs().format()).isEqualTo("zstd+cpio");
    }

    @Test
    void garbageCacheIsIgnored() {
        FixtureSystem fx = system().mkdir(InitramfsCache.DIR);
        fx.write(InitramfsCache.FILE, "garbage\n\t\t\t\n" + K + "\t/etc/passwd\t1\t2\t3\t4\t5\tPRESENT\t\t\t\t\n\u0000\u0001");
        assertThat(evaluate().verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void nothingIsWrittenWhereThePackageMadeNoCacheDirectory() {
        FixtureSystem fx = system();
        assertThat(evaluate().verdict()).isEqualTo(Verdict.OK);
        assertThat(fx.path("/var/cache/zfsguard")).doesNotExist();
    }
}
