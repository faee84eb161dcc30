package org.zfsguard.guard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;

import org.zfsguard.backup.BootActivation;
import org.zfsguard.kernel.NextBoot;
import org.zfsguard.system.SystemRoot;

/** The boot loaders the guard knows how to point at a kernel. */
public enum BootLoader {
    /** Armbian: U-Boot loads /boot/Image, /boot/uInitrd and /boot/dtb. */
    UBOOT,
    /** GRUB: grub.cfg, with grubenv's saved_entry and next_entry. */
    GRUB,
    /** Anything else: the guard says what to set and leaves it. */
    OTHER;

    public static BootLoader of(SystemRoot root) throws IOException {
        if (BootActivation.isArmbian(root)) {
            return UBOOT;
        }
        if (Files.isRegularFile(root.resolveAll(NextBoot.GRUB_CFG), LinkOption.NOFOLLOW_LINKS)) {
            return GRUB;
        }
        return OTHER;
    }
}
