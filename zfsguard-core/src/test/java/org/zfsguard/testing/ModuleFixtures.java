package org.zfsguard.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.airlift.compress.zstd.ZstdOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;

/**
 * Real kernel-module-shaped ELF objects for tests: a tiny C file compiled with
 * the architecture's gcc, with a {@code .modinfo} section added by objcopy, the
 * way kbuild lays it out. Compilers missing is a test failure, not a skip.
 */
public final class ModuleFixtures {

    public enum Arch {
        X86_64("gcc", "objcopy", 62),
        AARCH64("aarch64-linux-gnu-gcc", "aarch64-linux-gnu-objcopy", 183);

        final String gcc;
        final String objcopy;
        public final int elfMachine;

        Arch(String gcc, String objcopy, int elfMachine) {
            this.gcc = gcc;
            this.objcopy = objcopy;
            this.elfMachine = elfMachine;
        }
    }

    public enum Compression {
        NONE(".ko"), XZ(".ko.xz"), ZSTD(".ko.zst"), GZIP(".ko.gz");

        public final String suffix;

        Compression(String suffix) {
            this.suffix = suffix;
        }

        public byte[] apply(byte[] data) {
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (OutputStream out = switch (this) {
                    case NONE -> bytes;
                    case XZ -> new XZCompressorOutputStream(bytes);
                    case ZSTD -> new ZstdOutputStream(bytes);
                    case GZIP -> new GzipCompressorOutputStream(bytes);
                }) {
                    out.write(data);
                }
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final Map<String, byte[]> CACHE = new ConcurrentHashMap<>();
    private static Path workDir;

    private ModuleFixtures() {
    }

    /** modinfo of a ZFS module as DKMS builds it for {@code kernel}. */
    public static Map<String, String> zfsModinfo(String name, String version, String vermagicKernel) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("version", version);
        m.put("license", "CDDL");
        m.put("author", "OpenZFS");
        m.put("srcversion", "0123456789ABCDEF0123456");
        m.put("depends", name.equals("spl") ? "" : "spl");
        m.put("name", name);
        m.put("vermagic", vermagicKernel + " SMP preempt mod_unload modversions aarch64");
        return m;
    }

    /** An ELF relocatable object for {@code arch} whose .modinfo holds {@code modinfo}. */
    public static byte[] module(Arch arch, Map<String, String> modinfo) {
        StringBuilder section = new StringBuilder();
        modinfo.forEach((k, v) -> section.append(k).append('=').append(v).append('\0'));
        String key = arch + "|" + section;
        return CACHE.computeIfAbsent(key, k -> build(arch, section.toString())).clone();
    }

    private static synchronized byte[] build(Arch arch, String section) {
        try {
            Path dir = workDir();
            Path base = dir.resolve("base-" + arch + ".o");
            if (!Files.exists(base)) {
                Path c = dir.resolve("mod.c");
                Files.writeString(c, "int zfsguard_fixture_init(void) { return 0; }\n");
                run(arch.gcc, "-c", "-O0", "-o", base.toString(), c.toString());
            }
            Path info = Files.createTempFile(dir, "modinfo", ".bin");
            Path out = Files.createTempFile(dir, "mod", ".o");
            Files.write(info, section.getBytes(StandardCharsets.UTF_8));
            run(arch.objcopy, "--add-section", ".modinfo=" + info, "--set-section-flags", ".modinfo=alloc,readonly",
                    base.toString(), out.toString());
            byte[] bytes = Files.readAllBytes(out);
            Files.delete(info);
            Files.delete(out);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path workDir() throws IOException {
        if (workDir == null) {
            Path dir = Files.createTempDirectory("zfsguard-modules");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var files = Files.list(dir)) {
                    for (Path p : (Iterable<Path>) files::iterator) {
                        Files.deleteIfExists(p);
                    }
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    // Leaving a few object files in the temp directory is harmless.
                }
            }));
            workDir = dir;
        }
        return workDir;
    }

    private static void run(String... cmd) throws IOException {
        List<String> args = new ArrayList<>(List.of(cmd));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", args) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
