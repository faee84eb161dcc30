package org.zfsguard.readiness;

import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.message.NextStep;
import org.zfsguard.zfs.OpenZfsMeta;
import org.zfsguard.zfs.OpenZfsSources;

/**
 * The rules that turn the facts about one kernel into a verdict. Pure: the
 * same facts always give the same verdict, so every rule is unit-tested
 * without a file system.
 */
public final class Verdicts {
    private Verdicts() {
    }

    /**
     * @param f facts of the kernel; {@code f.initramfs()} null means "not looked at yet"
     * @param openzfs the installed OpenZFS source tree (may have no META)
     * @param initramfsRequired whether this system loads ZFS from the initramfs
     */
    public static Judgement decide(KernelFacts f, OpenZfsSources openzfs, boolean initramfsRequired) {
        KernelRelease k = f.release();
        if (f.installed() == null) {
            return new Judgement(Verdict.MISSING, "kernel " + k + " is not installed (no /lib/modules/" + k + ")",
                    null);
        }
        if (f.installed().modulesDir() == null && f.installed().modulesProblem() != null) {
            String problem = f.installed().modulesProblem();
            String where = problem.substring(0, Math.max(0, problem.indexOf(':')));
            return new Judgement(Verdict.UNKNOWN, "cannot read the module tree of " + k + ": " + problem,
                    NextStep.prose("make " + (where.isEmpty() ? "/lib/modules/" + k : where)
                            + " a readable directory again (ls -ld " + (where.isEmpty() ? "/lib/modules/" + k : where) + ")"));
        }
        if (f.installed().modulesDir() == null) {
            String pkg = f.installed().owner();
            return new Judgement(Verdict.MISSING, "kernel image without a module tree /lib/modules/" + k,
                    pkg == null ? null : NextStep.toolAsRoot("apt", "install", "--reinstall", pkg));
        }
        if (openzfs.problem() != null) {
            return new Judgement(Verdict.UNKNOWN, openzfs.problem(), NextStep.toolAsRoot("apt", "install", "--reinstall", "zfs-dkms"));
        }
        OpenZfsMeta meta = openzfs.meta();
        if (meta != null && !meta.supports(k)) {
            return new Judgement(Verdict.UNSUPPORTED, "Linux " + k.major() + "." + k.minor() + " is outside "
                    + meta.linuxMinimum() + ".." + meta.linuxMaximum() + " supported by OpenZFS " + meta.version(),
                    NextStep.prose("boot a kernel OpenZFS " + meta.version() + " supports, or install an OpenZFS whose "
                            + "Linux-Maximum covers " + k.major() + "." + k.minor()));
        }
        NextStep rebuild = NextStep.zfsguardAsRoot("rebuild", "--kernel", k.text());
        ModuleFacts zfs = f.zfs();
        if (zfs == null) {
            String built = f.dkmsInstalled() != null
                    ? " (DKMS marks zfs " + f.dkmsInstalled() + " installed for it: its tree and /lib/modules disagree)"
                    : f.dkmsBuilt().isEmpty() ? "" : " (DKMS has a build of " + String.join(", ", f.dkmsBuilt())
                            + " that is not installed)";
            return new Judgement(Verdict.MISSING, "no zfs module under /lib/modules/" + k + built, rebuild);
        }
        if (zfs.problem() != null) {
            return new Judgement(Verdict.UNKNOWN, "cannot read " + zfs.path() + ": " + zfs.problem(), rebuild);
        }
        if (f.architecture() != null && zfs.architecture() != null && !f.architecture().equals(zfs.architecture())) {
            return new Judgement(Verdict.STALE, zfs.path() + " is built for " + zfs.architecture() + ", the kernel runs on "
                    + f.architecture() + " (/boot/config-" + k + ")", rebuild);
        }
        if (!k.text().equals(zfs.vermagicRelease())) {
            return new Judgement(Verdict.STALE, zfs.path() + " was built for "
                    + (zfs.vermagicRelease() == null ? "no kernel (no vermagic)" : zfs.vermagicRelease()), rebuild);
        }
        if (meta != null && !meta.matchesModuleVersion(zfs.version())) {
            return new Judgement(Verdict.STALE, "zfs module is version " + zfs.version() + ", installed OpenZFS is "
                    + meta.version(), rebuild);
        }
        if (!f.missingModules().isEmpty()) {
            return new Judgement(Verdict.MISSING, "zfs module present but not " + String.join(", ", f.missingModules())
                    + " (needed by this OpenZFS layout)", rebuild);
        }
        ModuleFacts spl = f.spl();
        if (spl != null) {
            if (spl.problem() != null) {
                return new Judgement(Verdict.UNKNOWN, "cannot read " + spl.path() + ": " + spl.problem(), rebuild);
            }
            if (!k.text().equals(spl.vermagicRelease())) {
                return new Judgement(Verdict.STALE, spl.path() + " was built for " + spl.vermagicRelease(), rebuild);
            }
        }
        if (!initramfsRequired) {
            return ok(zfs);
        }
        InitramfsFacts i = f.initramfs();
        if (i == null) {
            return new Judgement(Verdict.OK, "module fine; initramfs not checked yet", null);
        }
        NextStep refresh = NextStep.toolAsRoot("update-initramfs", "-u", "-k", k.text());
        return switch (i.state()) {
            case NOT_USED, NOT_CHECKED -> ok(zfs);
            case NO_FILE -> new Judgement(Verdict.NOT_IN_INITRAMFS, "no initramfs for " + k + " (ZFS loads from it)",
                    refresh);
            case MISSING -> new Judgement(Verdict.NOT_IN_INITRAMFS, i.file() + " has no zfs.ko for " + k, refresh);
            case UNREADABLE -> new Judgement(Verdict.UNKNOWN, "cannot read " + i.file() + ": " + i.detail(), refresh);
            case PRESENT -> {
                if (!k.text().equals(i.vermagicRelease())) {
                    yield new Judgement(Verdict.NOT_IN_INITRAMFS, "zfs.ko in " + i.file() + " was built for "
                            + i.vermagicRelease(), refresh);
                }
                if (zfs.version() != null && !zfs.version().equals(i.version())) {
                    yield new Judgement(Verdict.NOT_IN_INITRAMFS, "zfs.ko in " + i.file() + " is version " + i.version()
                            + ", the module on disk is " + zfs.version(), refresh);
                }
                yield ok(zfs);
            }
        };
    }

    private static Judgement ok(ModuleFacts zfs) {
        return new Judgement(Verdict.OK, "zfs " + zfs.version() + " built for this kernel", null);
    }
}
