package org.zfsguard.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.dpkg.PackageOwners;
import org.zfsguard.kernel.NextBoot.Policy;
import org.zfsguard.kernel.NextBoot.Rule;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.testing.FixtureSystem;

/** The GRUB rule on grub.cfg and grubenv files that GRUB's own tools wrote (see src/test/resources/grub/README.md). */
class GrubNextBootTest {
    static final String U = "226ac178-6043-4bce-ad5d-38474b345fde";
    static final String BPO = "6.12.95+bpo-amd64";
    static final String K57 = "6.1.0-57-amd64";
    static final String K50 = "6.1.0-50-amd64";

    @TempDir
    Path dir;

    static String resource(String name) {
        try (InputStream in = GrubNextBootTest.class.getResourceAsStream("/grub/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new AssertionError("missing test resource grub/" + name, e);
        }
    }

    static NextBoot next(String cfg, String grubenv) {
        return NextBoot.fromGrub(GrubMenu.parse(resource(cfg)), grubenv == null ? GrubEnv.empty() : GrubEnv.parse(resource(grubenv)));
    }

    static String env(String... lines) {
        StringBuilder b = new StringBuilder("# GRUB Environment Block\n");
        for (String l : lines) {
            b.append(l).append('\n');
        }
        while (b.length() < 1024) {
            b.append('#');
        }
        return b.toString();
    }

    static String advanced(String k) {
        return "gnulinux-advanced-" + U + ">gnulinux-" + k + "-advanced-" + U;
    }

    @Test
    void defaultZeroBootsTheFirstEntryWhichIsTheHighestVersion() {
        NextBoot n = next("default.cfg", null);
        assertThat(n.release().text()).isEqualTo(BPO);
        assertThat(n.rule()).isEqualTo(Rule.GRUB_DEFAULT);
        assertThat(n.entry()).isEqualTo("gnulinux-simple-" + U);
        assertThat(n.policy()).isEqualTo(Policy.HIGHEST_VERSION);
        assertThat(n.detail()).isEqualTo("/boot/grub/grub.cfg default=\"0\": entry 'Debian GNU/Linux' (gnulinux-simple-" + U
                + ") loads /boot/vmlinuz-" + BPO);
    }

    @Test
    void realMenuHasTheEntriesGrubMkconfigWrote() {
        GrubMenu m = GrubMenu.parse(resource("default.cfg"));
        assertThat(m.items()).extracting(GrubMenu.Item::name)
                .containsExactly("gnulinux-simple-" + U, "gnulinux-advanced-" + U);
        GrubMenu.Item sub = m.items().get(1);
        assertThat(sub.isSubmenu()).isTrue();
        assertThat(sub.title()).isEqualTo("Advanced options for Debian GNU/Linux");
        assertThat(sub.children()).extracting(GrubMenu.Item::linux).containsExactly("/boot/vmlinuz-" + BPO,
                "/boot/vmlinuz-" + BPO, "/boot/vmlinuz-" + K57, "/boot/vmlinuz-" + K57, "/boot/vmlinuz-" + K50,
                "/boot/vmlinuz-" + K50);
        assertThat(sub.children().get(1).title()).isEqualTo("Debian GNU/Linux, with Linux " + BPO + " (recovery mode)");
        assertThat(m.readsNextEntry()).isTrue();
        assertThat(m.readsPrevSavedEntry()).isTrue();
        assertThat(m.defaultIsSavedEntry()).isFalse();
        assertThat(m.items()).noneMatch(GrubMenu.Item::conditional);
    }

    @Test
    void savedDefaultWithoutGrubenvBootsTheFirstEntry() {
        NextBoot n = next("saved.cfg", null);
        assertThat(n.release().text()).isEqualTo(BPO);
        assertThat(n.rule()).isEqualTo(Rule.GRUB_SAVED_ENTRY);
        assertThat(n.policy()).isEqualTo(Policy.HIGHEST_VERSION);
        assertThat(n.detail()).startsWith("/boot/grub/grubenv saved_entry=\"\": entry 'Debian GNU/Linux'");
    }

    @Test
    void grubSetDefaultPicksTheSavedEntryOfAnOlderKernel() {
        NextBoot n = next("saved.cfg", "saved-57.grubenv");
        assertThat(n.release().text()).isEqualTo(K57);
        assertThat(n.rule()).isEqualTo(Rule.GRUB_SAVED_ENTRY);
        assertThat(n.entry()).isEqualTo(advanced(K57));
        assertThat(n.policy()).isEqualTo(Policy.SAME_KERNEL);
        assertThat(next("saved-savedefault.cfg", "saved-57.grubenv").release().text()).isEqualTo(K57);
    }

    @Test
    void grubRebootBeatsTheSavedEntry() {
        NextBoot n = next("saved.cfg", "next-50.grubenv");
        assertThat(n.release().text()).isEqualTo(K50);
        assertThat(n.rule()).isEqualTo(Rule.GRUB_NEXT_ENTRY);
        assertThat(n.entry()).isEqualTo(advanced(K50));
        assertThat(n.detail()).startsWith("/boot/grub/grubenv next_entry=\"" + advanced(K50) + "\": entry 'Debian GNU/Linux, with Linux "
                + K50 + "'");
    }

    @Test
    void grubRebootWorksWithoutGrubDefaultSavedButSavedEntryDoesNot() {
        assertThat(next("default.cfg", "next-50.grubenv").release().text()).isEqualTo(K50);
        NextBoot n = next("default.cfg", "saved-57.grubenv");
        assertThat(n.release().text()).isEqualTo(BPO);
        assertThat(n.rule()).isEqualTo(Rule.GRUB_DEFAULT);
    }

    @Test
    void configuredSubmenuIdPath() {
        NextBoot n = next("submenu-id.cfg", null);
        assertThat(n.release().text()).isEqualTo(K50);
        assertThat(n.rule()).isEqualTo(Rule.GRUB_DEFAULT);
        assertThat(n.entry()).isEqualTo(advanced(K50));
        assertThat(n.policy()).isEqualTo(Policy.SAME_KERNEL);
    }

    @Test
    void configuredIndexPathCountsRecoveryEntries() {
        NextBoot n = next("submenu-index.cfg", null);
        assertThat(n.release().text()).isEqualTo(K57);
        assertThat(n.entry()).isEqualTo(advanced(K57));
        assertThat(n.policy()).as("another kernel may land on position 1>2 once the menu is regenerated")
                .isEqualTo(Policy.UNKNOWN);
    }

    @Test
    void configuredTitlesWithoutRecoveryEntries() {
        GrubMenu m = GrubMenu.parse(resource("title-no-recovery.cfg"));
        assertThat(m.items().get(1).children()).hasSize(3);
        NextBoot n = next("title-no-recovery.cfg", null);
        assertThat(n.release().text()).isEqualTo(K57);
        assertThat(n.entry()).isEqualTo(advanced(K57));
        assertThat(n.policy()).isEqualTo(Policy.SAME_KERNEL);
    }

    @Test
    void flatMenuWithoutSubmenu() {
        GrubMenu m = GrubMenu.parse(resource("no-submenu.cfg"));
        assertThat(m.items()).hasSize(6).noneMatch(GrubMenu.Item::isSubmenu);
        assertThat(next("no-submenu.cfg", null).release().text()).isEqualTo(BPO);
        NextBoot n = next("no-submenu-saved.cfg", "saved-index-2.grubenv");
        assertThat(n.release().text()).isEqualTo(K57);
        assertThat(n.entry()).isEqualTo("gnulinux-" + K57 + "-advanced-" + U);
        assertThat(n.policy()).isEqualTo(Policy.UNKNOWN);
    }

    @Test
    void aSubmenuIdThatAFlatMenuDoesNotHaveFallsBackToTheFirstEntry() {
        NextBoot n = next("no-submenu-saved.cfg", "next-50.grubenv");
        assertThat(n.rule()).isEqualTo(Rule.GRUB_NEXT_ENTRY);
        assertThat(n.release().text()).isEqualTo(BPO);
        assertThat(n.detail()).contains("matches no menu entry, so GRUB boots the first");
        assertThat(n.policy()).isEqualTo(Policy.HIGHEST_VERSION);
    }

    @Test
    void savedEntryOfARemovedKernelFallsBackToTheFirstEntry() {
        NextBoot n = NextBoot.fromGrub(GrubMenu.parse(resource("saved.cfg")),
                GrubEnv.parse(env("saved_entry=" + advanced("6.1.0-40-amd64"))));
        assertThat(n.release().text()).isEqualTo(BPO);
        assertThat(n.detail()).contains("matches no menu entry");
    }

    @Test
    void indexPastTheEndFallsBackToTheFirstEntry() {
        NextBoot n = NextBoot.fromGrub(GrubMenu.parse(resource("saved.cfg")), GrubEnv.parse(env("saved_entry=1>99")));
        assertThat(n.release().text()).isEqualTo(BPO);
        assertThat(n.entry()).isEqualTo(advanced(BPO));
        assertThat(n.policy()).isEqualTo(Policy.UNKNOWN);
    }

    @Test
    void aSubmenuWithoutARemainderBootsItsFirstEntry() {
        NextBoot n = NextBoot.fromGrub(GrubMenu.parse(resource("saved.cfg")), GrubEnv.parse(env("saved_entry=gnulinux-advanced-" + U)));
        assertThat(n.release().text()).isEqualTo(BPO);
        assertThat(n.entry()).isEqualTo(advanced(BPO));
    }

    @Test
    void prevSavedEntryOfTheOlderGrubRebootWins() {
        NextBoot n = NextBoot.fromGrub(GrubMenu.parse(resource("saved.cfg")),
                GrubEnv.parse(env("saved_entry=" + advanced(K57), "prev_saved_entry=" + advanced(K50))));
        assertThat(n.release().text()).isEqualTo(K50);
    }

    @Test
    void escapedGreaterThanAndQuotedTitles() {
        String cfg = "set default='It'\\''s >> odd>x'\n"
                + "submenu 'It'\\''s > odd' {\n"
                + "  menuentry \"x\" --class os {\n    linux /vmlinuz-6.1.0-9-amd64 root=x\n  }\n"
                + "}\n";
        NextBoot n = NextBoot.fromGrub(GrubMenu.parse(cfg), GrubEnv.empty());
        assertThat(n.release()).isNotNull();
        assertThat(n.release().text()).isEqualTo("6.1.0-9-amd64");
        assertThat(n.entry()).isEqualTo("It's >> odd>x");
    }

    @Test
    void anEntryWithoutLinuxBootsNoKernel() {
        String cfg = "set default=\"1\"\n"
                + "menuentry 'Debian' --id deb {\n linux /boot/vmlinuz-6.1.0-9-amd64\n}\n"
                + "menuentry 'Memory test (memtest86+x64.bin)' --id memtest {\n  linux16 /boot/memtest86+x64.bin\n}\n"
                + "menuentry 'Windows' {\n  chainloader +1\n}\n";
        NextBoot n = NextBoot.fromGrub(GrubMenu.parse(cfg), GrubEnv.empty());
        assertThat(n.release()).isNull();
        assertThat(n.detail()).contains("memtest86+x64.bin, which names no vmlinuz-<kernel> file");
        NextBoot w = NextBoot.fromGrub(GrubMenu.parse(cfg.replace("default=\"1\"", "default=\"2\"")), GrubEnv.empty());
        assertThat(w.release()).isNull();
        assertThat(w.detail()).endsWith("entry 'Windows' (Windows) loads no Linux kernel");
    }

    @Test
    void entriesCreatedOnlyOnSomeMachinesMakeLaterPositionsUnknown() {
        String cfg = "set default=\"1\"\n"
                + "if [ \"$grub_platform\" = \"efi\" ]; then\n  menuentry 'UEFI Firmware Settings' --id uefi-firmware {\n    fwsetup\n  }\nfi\n"
                + "menuentry 'Debian' --id deb {\n linux /boot/vmlinuz-6.1.0-9-amd64\n}\n";
        NextBoot n = NextBoot.fromGrub(GrubMenu.parse(cfg), GrubEnv.empty());
        assertThat(n.release()).isNull();
        assertThat(n.detail()).contains("'UEFI Firmware Settings' exists only on some machines");
        NextBoot byId = NextBoot.fromGrub(GrubMenu.parse(cfg.replace("default=\"1\"", "default=\"deb\"")), GrubEnv.empty());
        assertThat(byId.release().text()).isEqualTo("6.1.0-9-amd64");
    }

    @Test
    void aDefaultFromAnotherVariableCannotBeTold() {
        NextBoot n = NextBoot.fromGrub(GrubMenu.parse("set default=\"${chosen}\"\nmenuentry 'a' {\n linux /vmlinuz-6.1.0-9-amd64\n}\n"),
                GrubEnv.empty());
        assertThat(n.release()).isNull();
        assertThat(n.policy()).isEqualTo(Policy.UNKNOWN);
        assertThat(n.detail()).contains("${chosen}, which is only known at boot time");
    }

    @Test
    void noDefaultStatementMeansTheFirstEntryAndAnEmptyMenuNoKernel() {
        assertThat(NextBoot.fromGrub(GrubMenu.parse("menuentry 'a' {\n linux /vmlinuz-6.1.0-9-amd64\n}\n"), GrubEnv.empty())
                .release().text()).isEqualTo("6.1.0-9-amd64");
        NextBoot empty = NextBoot.fromGrub(GrubMenu.parse("set default=0\n"), GrubEnv.empty());
        assertThat(empty.release()).isNull();
        assertThat(empty.detail()).contains("grub.cfg has no menu entry");
    }

    @Test
    void anInvalidReleaseInTheLinuxLineIsNotUsed() {
        NextBoot n = NextBoot.fromGrub(GrubMenu.parse("menuentry 'a' {\n linux /boot/vmlinuz-6.1.0-9-amd64..x\n}\n"), GrubEnv.empty());
        assertThat(n.release()).isNull();
        assertThat(n.detail()).contains("not a kernel release (contains '..')");
    }

    @Test
    void grubenvEscapesAndForeignFiles() {
        GrubEnv e = GrubEnv.parse(env("saved_entry=a\\\\b\\\nc", "next_entry=", "# comment=x"));
        assertThat(e.get("saved_entry")).isEqualTo("a\\b\nc");
        assertThat(e.get("next_entry")).isEmpty();
        assertThat(e.vars()).containsOnlyKeys("saved_entry", "next_entry");
        assertThat(GrubEnv.parse("saved_entry=x\n").vars()).isEmpty();
        assertThat(GrubEnv.parse(null).get("saved_entry")).isEmpty();
        assertThat(GrubEnv.parse(resource("next-50.grubenv")).vars()).containsOnlyKeys("saved_entry", "next_entry");
    }

    // ---- through the root: which rule wins ----

    NextBoot decide() {
        RootFiles f = new RootFiles(SystemRoot.at(dir));
        return NextBoot.decide(f, KernelInventory.scan(f, PackageOwners.read(f)));
    }

    @Test
    void onAGrubSystemTheVmlinuzLinkIsIgnored() {
        new FixtureSystem(dir).kernel(K50, null).kernel(K57, null).kernel(BPO, null)
                .symlink("/vmlinuz", "boot/vmlinuz-" + K57)
                .write("/boot/grub/grub.cfg", resource("default.cfg")).write("/boot/grub/grubenv", resource("next-50.grubenv"));
        NextBoot n = decide();
        assertThat(n.rule()).isEqualTo(Rule.GRUB_NEXT_ENTRY);
        assertThat(n.release().text()).isEqualTo(K50);
    }

    @Test
    void bootImageLinkStillComesFirst() {
        new FixtureSystem(dir).kernel(K50, null).kernel(K57, null).symlink("/boot/Image", "vmlinuz-" + K50)
                .write("/boot/grub/grub.cfg", resource("default.cfg"));
        assertThat(decide().rule()).isEqualTo(Rule.BOOT_IMAGE_LINK);
    }

    @Test
    void withoutABootLoaderToReadTheNextKernelCannotBeTold() {
        new FixtureSystem(dir).kernel(K50, null).kernel(K57, null);
        NextBoot n = decide();
        assertThat(n.release()).isNull();
        assertThat(n.rule()).isEqualTo(Rule.NONE);
        assertThat(n.policy()).isEqualTo(Policy.UNKNOWN);
        assertThat(n.detail()).isEqualTo("no /boot/grub/grub.cfg, no /boot/Image or /boot/uInitrd link and no vmlinuz link");
    }

    @Test
    void aGrubCfgLinkedOutOfTheRootIsReadInsideIt() {
        new FixtureSystem(dir).kernel(K50, null).symlink("/boot/grub/grub.cfg", "/etc/grub.cfg")
                .write("/etc/grub.cfg", resource("default.cfg"));
        NextBoot n = decide();
        assertThat(n.rule()).isEqualTo(Rule.GRUB_DEFAULT);
        assertThat(n.release().text()).isEqualTo(BPO);
    }
}
