package org.zfsguard.kernel;

import java.io.IOException;

import org.zfsguard.system.SystemRoot;

/**
 * The kernel the next boot will load, and the rule that decided it: the boot
 * loader's own configuration, never a guess. U-Boot on Armbian loads whatever
 * {@code /boot/Image} names, so those links come first; on a GRUB system the
 * entry GRUB will boot decides (grub.cfg and grubenv), and {@code /vmlinuz} is
 * ignored there, since GRUB never reads it. Without either, the vmlinuz link is
 * what the remaining boot loaders (extlinux, lilo) load; without that, the next
 * kernel cannot be told.
 *
 * @param release the kernel, or null when it cannot be told
 * @param rule which rule decided
 * @param detail what the rule saw, for the report
 * @param entry the GRUB entry id path read ({@code submenu>entry}), or null when GRUB did not decide
 * @param policy how the boot loader will pick once kernels are installed or removed
 */
public record NextBoot(KernelRelease release, Rule rule, String detail, String entry, Policy policy) {

    public static final String GRUB_CFG = "/boot/grub/grub.cfg";
    public static final String GRUBENV = "/boot/grub/grubenv";

    public enum Rule {
        BOOT_IMAGE_LINK("/boot/Image symlink"),
        UINITRD_LINK("/boot/uInitrd symlink"),
        GRUB_NEXT_ENTRY("GRUB next_entry, set by grub-reboot"),
        GRUB_SAVED_ENTRY("GRUB saved_entry, set by grub-set-default"),
        GRUB_DEFAULT("GRUB default in grub.cfg"),
        VMLINUZ_LINK("vmlinuz symlink"),
        NONE("cannot tell which kernel boots next");

        public final String label;

        Rule(String label) {
            this.label = label;
        }
    }

    /** What the boot loader does when a package operation installs or removes kernels. */
    public enum Policy {
        /** Armbian's kernel postinst points /boot/Image at the kernel it installs. */
        LAST_INSTALLED,
        /** grub-mkconfig puts the highest version first and the default is the first entry. */
        HIGHEST_VERSION,
        /** The default names an entry of one kernel; while it stays installed it stays the default (else GRUB falls back to the first entry). */
        SAME_KERNEL,
        /** Not predictable: a numbered entry past the first, or nothing to go by. */
        UNKNOWN
    }

    public NextBoot(KernelRelease release, Rule rule, String detail) {
        this(release, rule, detail, null, switch (rule) {
            case BOOT_IMAGE_LINK, UINITRD_LINK -> Policy.LAST_INSTALLED;
            case VMLINUZ_LINK -> Policy.HIGHEST_VERSION;
            default -> Policy.UNKNOWN;
        });
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
            if (files.isFile(GRUB_CFG)) {
                return fromGrub(files);
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
        return new NextBoot(null, Rule.NONE, inventory.kernels().isEmpty() ? "no installed kernel found"
                : "no " + GRUB_CFG + ", no /boot/Image or /boot/uInitrd link and no vmlinuz link");
    }

    private static NextBoot fromGrub(RootFiles files) throws IOException {
        String cfg = files.readSmallText(GRUB_CFG, GrubMenu.MAX_SIZE + 1);
        if (cfg.length() > GrubMenu.MAX_SIZE) {
            return new NextBoot(null, Rule.NONE, GRUB_CFG + " is larger than " + GrubMenu.MAX_SIZE + " bytes");
        }
        String env = files.readSmallText(GRUBENV, GrubEnv.MAX_SIZE);
        return fromGrub(GrubMenu.parse(cfg), GrubEnv.parse(env));
    }

    /** The kernel of the entry GRUB boots next; pure, for tests of real grub.cfg files. */
    public static NextBoot fromGrub(GrubMenu menu, GrubEnv env) {
        GrubDefault.Choice c = GrubDefault.choose(menu, env);
        Rule rule = switch (c.source()) {
            case NEXT_ENTRY -> Rule.GRUB_NEXT_ENTRY;
            case SAVED_ENTRY -> Rule.GRUB_SAVED_ENTRY;
            case CONFIGURED -> Rule.GRUB_DEFAULT;
        };
        String where = c.source() == GrubDefault.Source.CONFIGURED ? GRUB_CFG + " default=\"" : GRUBENV + " "
                + c.source().variable + "=\"";
        String seen = where + SystemRoot.printable(c.value()) + "\"";
        if (c.problem() != null) {
            return new NextBoot(null, rule, seen + ": " + c.problem(), null, Policy.UNKNOWN);
        }
        GrubMenu.Item e = c.entry();
        String entryId = c.entryId();
        Policy policy = !c.byPosition() ? Policy.SAME_KERNEL : c.first() ? Policy.HIGHEST_VERSION : Policy.UNKNOWN;
        String chosen = (c.fellBack() ? seen + " matches no menu entry, so GRUB boots the first: " : seen + ": ")
                + "entry '" + SystemRoot.printable(e.title()) + "' (" + SystemRoot.printable(entryId) + ")";
        if (e.linux() == null) {
            return new NextBoot(null, rule, chosen + " loads no Linux kernel", entryId, policy);
        }
        String name = e.linux().substring(e.linux().lastIndexOf('/') + 1);
        String loads = chosen + " loads " + SystemRoot.printable(e.linux());
        if (!name.startsWith("vmlinuz-")) {
            return new NextBoot(null, rule, loads + ", which names no vmlinuz-<kernel> file", entryId, policy);
        }
        String rel = name.substring("vmlinuz-".length());
        String problem = KernelRelease.problem(rel);
        if (problem != null) {
            return new NextBoot(null, rule, loads + ": not a kernel release (" + problem + ")", entryId, policy);
        }
        return new NextBoot(KernelRelease.parse(rel), rule, loads, entryId, policy);
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
