package org.zfsguard.readiness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.zfsguard.kernel.KernelSeries;
import org.junit.jupiter.api.Test;
import org.zfsguard.kernel.InstalledKernel;
import org.zfsguard.kernel.KernelRelease;
import org.zfsguard.readiness.InitramfsFacts.State;
import org.zfsguard.zfs.OpenZfsMeta;
import org.zfsguard.zfs.OpenZfsSources;

class VerdictsTest {
    static final String K = "6.12.58-current-rockchip64";
    static final KernelRelease REL = KernelRelease.parse(K);
    static final InstalledKernel INSTALLED = new InstalledKernel(REL, "/lib/modules/" + K, "/boot/vmlinuz-" + K, null);
    static final OpenZfsSources META = new OpenZfsSources(new OpenZfsMeta("2.3.4", "1", new KernelSeries(4, 18), new KernelSeries(6, 15)), "/usr/src/zfs-2.3.4/META", null);
    static final OpenZfsSources NO_META = new OpenZfsSources(null, null, null);
    static final ModuleFacts ZFS = new ModuleFacts("/lib/modules/" + K + "/updates/dkms/zfs.ko", K, "2.3.4-1", "X", "aarch64", null);
    static final ModuleFacts SPL = new ModuleFacts("/lib/modules/" + K + "/updates/dkms/spl.ko", K, "2.3.4-1", "X", "aarch64", null);

    static KernelFacts facts(ModuleFacts zfs, ModuleFacts spl, InitramfsFacts i) {
        return new KernelFacts(REL, INSTALLED, zfs, spl, List.of(), null, List.of(), i);
    }

    @Test
    void goodModuleIsOkWithAndWithoutMeta() {
        assertThat(Verdicts.decide(facts(ZFS, SPL, null), META, false).verdict()).isEqualTo(Verdict.OK);
        assertThat(Verdicts.decide(facts(ZFS, SPL, null), NO_META, false).verdict()).isEqualTo(Verdict.OK);
        assertThat(Verdicts.decide(facts(ZFS, SPL, null), META, false).next()).isNull();
    }

    @Test
    void unsupportedWinsOverMissingBecauseARebuildCannotHelp() {
        KernelRelease k = KernelRelease.parse("6.16.0-edge-rockchip64");
        KernelFacts f = new KernelFacts(k, new InstalledKernel(k, "/lib/modules/" + k, null, null), null, null, List.of(), null, List.of(), null);
        Judgement j = Verdicts.decide(f, META, false);
        assertThat(j.verdict()).isEqualTo(Verdict.UNSUPPORTED);
        assertThat(j.next()).asString().doesNotContain("rebuild");
    }

    @Test
    void unreadableMetaIsUnknownButUnknownModulesStayUnknown() {
        OpenZfsSources broken = new OpenZfsSources(null, "/usr/src/zfs-2.3.4/META", "garbage");
        assertThat(Verdicts.decide(facts(ZFS, SPL, null), broken, false).verdict()).isEqualTo(Verdict.UNKNOWN);
        ModuleFacts bad = new ModuleFacts(ZFS.path(), null, null, null, null, "truncated");
        assertThat(Verdicts.decide(facts(bad, SPL, null), META, false).reason()).contains("truncated");
    }

    @Test
    void staleSplIsStale() {
        ModuleFacts oldSpl = new ModuleFacts(SPL.path(), "6.12.57-current-rockchip64", "2.3.4-1", null, null, null);
        assertThat(Verdicts.decide(facts(ZFS, oldSpl, null), META, false).verdict()).isEqualTo(Verdict.STALE);
    }

    @Test
    void initramfsStatesMapToVerdicts() {
        String file = "/boot/initrd.img-" + K;
        assertThat(Verdicts.decide(facts(ZFS, SPL, InitramfsFacts.of(State.NO_FILE)), META, true).verdict())
                .isEqualTo(Verdict.NOT_IN_INITRAMFS);
        assertThat(Verdicts.decide(facts(ZFS, SPL, new InitramfsFacts(State.MISSING, file, "cpio", null, null, null)), META, true)
                .verdict()).isEqualTo(Verdict.NOT_IN_INITRAMFS);
        assertThat(Verdicts.decide(facts(ZFS, SPL, new InitramfsFacts(State.UNREADABLE, file, null, null, null, "x")), META, true)
                .verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(Verdicts.decide(facts(ZFS, SPL, new InitramfsFacts(State.PRESENT, file, "cpio", "6.12.57-current-rockchip64",
                "2.3.4-1", null)), META, true).reason()).contains("built for 6.12.57");
        assertThat(Verdicts.decide(facts(ZFS, SPL, new InitramfsFacts(State.PRESENT, file, "cpio", K, "2.3.4-1", null)), META, true)
                .verdict()).isEqualTo(Verdict.OK);
        // Not required: the initramfs never changes the verdict.
        assertThat(Verdicts.decide(facts(ZFS, SPL, InitramfsFacts.of(State.NO_FILE)), META, false).verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void missingModuleNamesWhatDkmsBelieves() {
        KernelFacts installedByDkms = new KernelFacts(REL, INSTALLED, null, null, List.of(), "2.3.4", List.of("2.3.4"), null);
        assertThat(Verdicts.decide(installedByDkms, META, false).reason()).contains("DKMS marks zfs 2.3.4 installed");
        KernelFacts builtOnly = new KernelFacts(REL, INSTALLED, null, null, List.of(), null, List.of("2.3.4"), null);
        assertThat(Verdicts.decide(builtOnly, META, false).reason()).contains("DKMS has a build of 2.3.4 that is not installed");
        assertThat(Verdicts.decide(builtOnly, META, false).verdict()).isEqualTo(Verdict.MISSING);
    }

    @Test
    void moduleWithoutVermagicIsStale() {
        ModuleFacts noMagic = new ModuleFacts(ZFS.path(), null, "2.3.4-1", null, null, null);
        assertThat(Verdicts.decide(facts(noMagic, SPL, null), META, false).reason()).contains("no vermagic");
    }
}
