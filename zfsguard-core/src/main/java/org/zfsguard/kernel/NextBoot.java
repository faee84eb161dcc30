package org.zfsguard.kernel;

import java.io.IOException;

import org.zfsguard.system.SystemRoot;

/**
 * The kernel the next boot will load, and the rule that decided it.
 * U-Boot on Armbian loads whatever {@code /boot/Image} names, not the highest
 * version, so the boot links come first.
 *
 * @param release the kernel, or null when it cannot be told
 * @param rule which rule decided
 * @param detail what the rule saw, for the report
 */
public record NextBoot(KernelRelease release, Rule rule, String detail) {

    public enum Rule {
        BOOT_IMAGE_LINK("/boot/Image symlink"),
        UINITRD_LINK("/boot/uInitrd symlink"),
        VMLINUZ_LINK("vmlinuz symlink"),
        HIGHEST_INSTALLED("highest installed version"),
        NONE("no kernel found");

        public final String label;

        Rule(String label) {
            this.label = label;
        }
    }

    public static NextBoot decide(RootFiles files, KernelInventory inventory) {
        try {
            String image = files.linkTarget("/boot/Image");
            if (image != null) {
                NextBoot b = fromLink("/boot/Image", image, "vmlinuz-", Rule.BOOT_IMAGE_LINK);
                String uinitrd = files.linkTarget("/boot/uInitrd");
                if (b.release() != null && uinitrd != null) {
                    NextBoot u = fromLink("/boot/uInitrd", uinitrd, "uInitrd-", Rule.UINITRD_LINK);
                    if (u.release() != null && !u.release().equals(b.release())) {
                        return new NextBoot(b.release(), b.rule(), b.detail() + "; but /boot/uInitrd names "
                                + u.release() + " (initramfs of another kernel)");
                    }
                }
                return b;
            }
            if (files.isFile("/boot/Image")) {
                String uinitrd = files.linkTarget("/boot/uInitrd");
                if (uinitrd != null) {
                    NextBoot u = fromLink("/boot/uInitrd", uinitrd, "uInitrd-", Rule.UINITRD_LINK);
                    return new NextBoot(u.release(), u.rule(), u.detail() + " (/boot/Image is a plain file)");
                }
            }
            for (String link : new String[] {"/boot/vmlinuz", "/vmlinuz"}) {
                String t = files.linkTarget(link);
                if (t != null) {
                    return fromLink(link, t, "vmlinuz-", Rule.VMLINUZ_LINK);
                }
            }
        } catch (IOException e) {
            return new NextBoot(null, Rule.NONE, "cannot read the boot links: " + SystemRoot.printable(String.valueOf(e.getMessage())));
        }
        KernelRelease highest = inventory.highest();
        if (highest == null) {
            return new NextBoot(null, Rule.NONE, "no installed kernel found");
        }
        return new NextBoot(highest, Rule.HIGHEST_INSTALLED, "no boot symlink; highest installed version");
    }

    static NextBoot fromLink(String link, String target, String prefix, Rule rule) {
        String name = target.substring(target.lastIndexOf('/') + 1);
        String shown = link + " -> " + SystemRoot.printable(target);
        if (!name.startsWith(prefix)) {
            return new NextBoot(null, rule, shown + " does not name a " + prefix + "<kernel> file");
        }
        String rel = name.substring(prefix.length());
        String problem = KernelRelease.problem(rel);
        if (problem != null) {
            return new NextBoot(null, rule, shown + ": not a kernel release (" + problem + ")");
        }
        return new NextBoot(KernelRelease.parse(rel), rule, shown);
    }
}
