package org.zfsguard.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import org.zfsguard.io.BoundedLines;
import org.zfsguard.io.RegularFile;

/**
 * The machine a kernel runs on, in the names {@code ModuleInfo.architecture()} uses,
 * told from the kernel's build configuration {@code /boot/config-K}: Debian, Ubuntu
 * and Armbian install it with every kernel, and {@code CONFIG_ARM64=y} says what
 * it says. The release suffix is a naming habit ({@code rockchip64}, {@code media}
 * name no machine), and the image header needs decompressing on arm64, so neither
 * is used; without a config the architecture is unknown and not checked.
 */
public final class KernelArch {
    /** A kernel config is about 250 KiB; its lines are short. */
    private static final int MAX_LINE = 4096;

    private KernelArch() {
    }

    /** The architecture of {@code k} in {@code files}' root, or null when it cannot be told. */
    public static String of(RootFiles files, KernelRelease k) {
        try {
            Path config = files.resolve("/boot/config-" + k.text());
            if (!Files.isRegularFile(config, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            try (InputStream in = RegularFile.open(config)) {
                return fromConfig(in);
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Reads config lines until one names the architecture. */
    static String fromConfig(InputStream in) throws IOException {
        BoundedLines lines = new BoundedLines(in, MAX_LINE);
        boolean x86 = false;
        boolean arm = false;
        for (String line; (line = lines.next()) != null; ) {
            switch (line) {
                case "CONFIG_X86_64=y":
                    return "x86_64";
                case "CONFIG_ARM64=y":
                    return "aarch64";
                case "CONFIG_X86_32=y":
                    x86 = true;
                    break;
                case "CONFIG_ARM=y":
                    arm = true;
                    break;
                default:
                    break;
            }
        }
        return x86 ? "i386" : arm ? "arm" : null;
    }
}
