package org.zfsguard.fuzz;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.zfsguard.apt.HookStream;
import org.zfsguard.apt.ParseException;
import org.zfsguard.backup.Manifest;
import org.zfsguard.backup.ManifestException;
import org.zfsguard.config.Config;
import org.zfsguard.config.ConfigException;
import org.zfsguard.deb.DebFormatException;
import org.zfsguard.deb.DebLimits;
import org.zfsguard.deb.DebPackage;
import org.zfsguard.dpkg.InstalledVersions;
import org.zfsguard.dpkg.PackageOwners;
import org.zfsguard.initramfs.InitramfsReadException;
import org.zfsguard.initramfs.InitramfsReader;
import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.zfs.ElfModinfoReader;
import org.zfsguard.zfs.ModuleFiles;
import org.zfsguard.zfs.ModuleReadException;
import org.zfsguard.zfs.OpenZfsMeta;

/**
 * Every parser of untrusted input, fed arbitrary bytes: the documented exception is
 * the only way to fail; anything else (another exception, an Error, a hang) is a
 * finding. Without JAZZER_FUZZ the committed inputs under
 * {@code ParsersFuzzTestInputs/<method>/} run as regression tests in every build;
 * {@code bench/fuzz.sh} fuzzes for real with a time box.
 */
class ParsersFuzzTest {
    /** One round of real fuzzing per target: what mvn verify gives each; bench/fuzz.sh runs as many rounds as asked, each from the corpus so far. */
    static final String FUZZ_TIME = "20s";
    static final KernelRelease K = KernelRelease.parse("6.1.0-56-amd64");

    @FuzzTest(maxDuration = FUZZ_TIME)
    void aptHookStream(byte[] data) {
        try {
            HookStream.parse(data);
        } catch (ParseException expected) {
            // a stream apt would not write
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void debPackage(byte[] data) {
        for (DebPackage.Scope scope : DebPackage.Scope.values()) {
            try {
                DebPackage.read(new ByteArrayInputStream(data), "fuzz.deb", DebLimits.DEFAULT, scope);
            } catch (DebFormatException expected) {
                // not a package file
            }
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void elfModinfo(byte[] data) {
        try {
            ElfModinfoReader.read(ByteBuffer.wrap(data));
        } catch (ModuleReadException expected) {
            // not a module
        }
        try {
            ModuleFiles.readCompressed("zfs.ko", new ByteArrayInputStream(data));
        } catch (ModuleReadException expected) {
            // the streamed reader refuses what the mapped one refuses, and what it did not keep
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void compressedModule(byte[] data) {
        for (String name : new String[] {"zfs.ko.xz", "zfs.ko.zst", "zfs.ko.gz"}) {
            try {
                ModuleFiles.readCompressed(name, new ByteArrayInputStream(data));
            } catch (ModuleReadException expected) {
                // not a compressed module
            }
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void initramfs(byte[] data) throws IOException {
        try {
            InitramfsReader.scan(new ByteArrayInputStream(data), K);
        } catch (InitramfsReadException expected) {
            // not an initramfs
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void manifest(byte[] data) {
        try {
            Manifest.parse(data);
        } catch (ManifestException expected) {
            // damaged or not a manifest
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void config(byte[] data) {
        try {
            Config.parse(new String(data, StandardCharsets.UTF_8), "/etc/zfsguard/zfsguard.conf");
        } catch (ConfigException expected) {
            // not a valid configuration
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void openZfsMeta(byte[] data) {
        try {
            OpenZfsMeta m = OpenZfsMeta.parse(new String(data, StandardCharsets.UTF_8));
            m.supports(K);
            m.hasNineModules();
            m.fullVersion();
        } catch (IllegalArgumentException expected) {
            // not META
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void dpkgStatusAndLists(byte[] data) throws IOException {
        InstalledVersions.parse(new ByteArrayInputStream(data), new HashMap<>());
        for (String line : new String(data, StandardCharsets.UTF_8).split("\n", 1000)) {
            String k = PackageOwners.releaseOf(line);
            if (k != null) {
                KernelRelease.isValid(k);
            }
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void kernelRelease(byte[] data) {
        String s = new String(data, StandardCharsets.UTF_8);
        if (KernelRelease.isValid(s)) {
            KernelRelease k = KernelRelease.parse(s);
            k.localSuffix();
            k.series();
            KernelRelease.compare(s, "6.1.0-56-amd64");
        }
    }
}
