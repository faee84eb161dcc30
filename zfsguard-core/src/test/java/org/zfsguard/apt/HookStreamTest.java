package org.zfsguard.apt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Random;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.zfsguard.apt.PackageAction.Action;
import org.zfsguard.apt.PackageAction.Direction;

class HookStreamTest {
    static final java.util.List<String> STREAMS = Streams.ALL;

    static final String HEADER = "VERSION 3\nAPT::Architecture=arm64\nDir=/\n\n";
    static final String HEADER2 = "VERSION 2\nAPT::Architecture=arm64\n\n";

    static HookStream parse(String text) throws ParseException {
        return HookStream.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    static void assertParseError(String text, int line, String fragment) {
        assertParseError(text.getBytes(StandardCharsets.UTF_8), line, fragment);
    }

    static void assertParseError(byte[] bytes, int line, String fragment) {
        ThrowingCallable call = () -> HookStream.parse(bytes);
        assertThatThrownBy(call)
                .isInstanceOf(ParseException.class)
                .hasMessageStartingWith("line " + line + ": ")
                .hasMessageContaining(fragment)
                .satisfies(e -> assertThat(((ParseException) e).line()).isEqualTo(line));
    }

    @ParameterizedTest
    @FieldSource("STREAMS")
    void everyCapturedStreamParsesAsVersion3WithItsConfiguration(String name) {
        HookStream s = Streams.parsed(name);
        assertThat(s.version()).isEqualTo(3);
        assertThat(s.config()).hasSizeGreaterThan(100);
        assertThat(s.configValue("APT::Architecture")).contains("amd64");
        assertThat(s.configValue("Dir::State::status")).contains("/var/lib/dpkg/status");
        assertThat(s.configValues("APT::NeverAutoRemove::")).contains("^linux-image-[a-z0-9]*$");
        // apt writes spaces in values as %20
        assertThat(s.configValue("Acquire::IndexTargets::deb::Packages::Description"))
                .contains("$(RELEASE)/$(COMPONENT) $(ARCHITECTURE) Packages");
        assertThat(s.actions()).isNotEmpty();
    }

    @Test
    void stream01FreshInstallOfKernelAndZfsDkms() {
        HookStream s = Streams.parsed("01-install-kernel-and-zfs-dkms.v3");
        assertThat(s.actions()).containsExactly(
                new PackageAction("linux-image-current-rockchip64", Optional.empty(), Optional.empty(), Direction.UP,
                        Optional.of("25.11.1"), Optional.of("all"), Action.DEB_PATH,
                        Optional.of("/tmp/linux-image-current-rockchip64_25.11.1_all.deb"), 108),
                new PackageAction("zfs-dkms", Optional.empty(), Optional.empty(), Direction.UP,
                        Optional.of("2.4.0-1"), Optional.of("all"), Action.DEB_PATH,
                        Optional.of("/tmp/zfs-dkms_2.4.0-1_all.deb"), 109),
                new PackageAction("linux-image-current-rockchip64", Optional.empty(), Optional.empty(), Direction.UP,
                        Optional.of("25.11.1"), Optional.of("all"), Action.CONFIGURE, Optional.empty(), 110),
                new PackageAction("zfs-dkms", Optional.empty(), Optional.empty(), Direction.UP,
                        Optional.of("2.4.0-1"), Optional.of("all"), Action.CONFIGURE, Optional.empty(), 111));
    }

    @Test
    void stream02InPlaceUpgradeKeepsTheOldVersion() {
        HookStream s = Streams.parsed("02-armbian-in-place-kernel-upgrade.v3");
        assertThat(s.actions()).hasSize(2).allSatisfy(a -> {
            assertThat(a.name()).isEqualTo("linux-image-current-rockchip64");
            assertThat(a.oldVersion()).contains("25.11.1");
            assertThat(a.oldArch()).contains("all");
            assertThat(a.direction()).isEqualTo(Direction.UP);
            assertThat(a.newVersion()).contains("25.11.2");
        });
        assertThat(s.actions()).extracting(PackageAction::action).containsExactly(Action.DEB_PATH, Action.CONFIGURE);
    }

    @Test
    void stream03OnlyTheUnrelatedPackage() {
        HookStream s = Streams.parsed("03-unrelated-package.v3");
        assertThat(s.actions()).extracting(PackageAction::name).containsOnly("sysstat-standin");
    }

    @Test
    void stream04RemovalsHaveNoNewVersion() {
        HookStream s = Streams.parsed("04-remove-kernel-and-unrelated.v3");
        assertThat(s.actions()).extracting(PackageAction::name)
                .containsExactly("linux-image-current-rockchip64", "sysstat-standin");
        assertThat(s.actions()).allSatisfy(a -> {
            assertThat(a.action()).isEqualTo(Action.REMOVE);
            assertThat(a.direction()).isEqualTo(Direction.DOWN);
            assertThat(a.newVersion()).isEmpty();
            assertThat(a.newArch()).isEmpty();
            assertThat(a.debPath()).isEmpty();
            assertThat(a.installs()).isFalse();
        });
        assertThat(s.actions().get(0).oldVersion()).contains("25.11.2");
    }

    @Test
    void version2HasNoArchitectureColumns() throws Exception {
        HookStream s = parse(HEADER2
                + "linux-image-6.1.0-56-arm64 - < 6.1.158-1 /var/cache/apt/archives/linux-image-6.1.0-56-arm64_6.1.158-1_arm64.deb\n"
                + "zfs-dkms 2.1.11-1 < 2.1.11-1+deb12u1 **CONFIGURE**\n"
                + "old-thing 1.0 > - **REMOVE**\n"
                + "same-again 2:1.0~rc1 = 2:1.0~rc1 **CONFIGURE**\n");
        assertThat(s.version()).isEqualTo(2);
        assertThat(s.actions()).hasSize(4);
        PackageAction first = s.actions().get(0);
        assertThat(first.oldVersion()).isEmpty();
        assertThat(first.newArch()).isEmpty();
        assertThat(first.debPath()).contains("/var/cache/apt/archives/linux-image-6.1.0-56-arm64_6.1.158-1_arm64.deb");
        assertThat(s.actions().get(1).oldVersion()).contains("2.1.11-1");
        assertThat(s.actions().get(2).action()).isEqualTo(Action.REMOVE);
        assertThat(s.actions().get(3).direction()).isEqualTo(Direction.SAME);
    }

    @Test
    void debPathsMayContainSpaces() throws Exception {
        HookStream s = parse(HEADER + "zfs-dkms - - none < 2.4.0-1 all none /home/me/my debs/zfs-dkms_2.4.0-1_all.deb\n");
        assertThat(s.actions().get(0).debPath()).contains("/home/me/my debs/zfs-dkms_2.4.0-1_all.deb");
    }

    @Test
    void errorActionIsAnInstallWithoutFile() throws Exception {
        HookStream s = parse(HEADER + "zfs-dkms - - none < 2.4.0-1 all none **ERROR**\n");
        assertThat(s.actions().get(0).action()).isEqualTo(Action.NO_FILE);
        assertThat(s.actions().get(0).installs()).isTrue();
    }

    @Test
    void multiArchAndEpochsAreRead() throws Exception {
        HookStream s = parse(HEADER + "libsame 1:1.2+b1 arm64 same < 1:1.3~rc1-2 arm64 same **CONFIGURE**\n"
                + "stuff 2 amd64 none > - - none **REMOVE**\n");
        assertThat(s.actions().get(0).oldVersion()).contains("1:1.2+b1");
        assertThat(s.actions().get(0).newArch()).contains("arm64");
        assertThat(s.actions().get(1).oldArch()).contains("amd64");
    }

    @Test
    void noActionsIsValid() throws Exception {
        assertThat(parse(HEADER).actions()).isEmpty();
    }

    @Test
    void configEscapesAreDecodedAndDuplicateKeysKept() throws Exception {
        HookStream s = parse("VERSION 3\nA::B=x%20y%25z%3d\nL::=1\nL::=2\nU=%c3%a9\n\n");
        assertThat(s.configValue("A::B")).contains("x y%z=");
        assertThat(s.configValues("L::")).containsExactly("1", "2");
        assertThat(s.configValue("L::")).contains("2");
        assertThat(s.configValue("U")).contains("\u00e9");
        assertThat(s.configValue("missing")).isEmpty();
    }

    // ---- malformed input: every case is a ParseException naming the line ----

    @Test
    void emptyInput() {
        assertParseError("", 1, "empty input");
    }

    @Test
    void missingVersionLine() {
        assertParseError("APT::Architecture=amd64\n\nzfs-dkms - - none < 1 all none **CONFIGURE**\n", 1,
                "expected 'VERSION 3', got 'APT::Architecture=amd64'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"VERSION 1", "VERSION 4", "VERSION 03", "VERSION -1", "VERSION 99999999999"})
    void unknownVersion(String first) {
        assertParseError(first + "\n\n", 1, "is not supported; zfsguard reads versions 2 and 3");
    }

    @Test
    void version1IsRecognisedAndRefusedWithTheFix() {
        assertParseError("/var/cache/apt/archives/zfs-dkms_2.4.0-1_all.deb\n", 1,
                "protocol version 1 list");
        assertParseError("/var/cache/apt/archives/zfs-dkms_2.4.0-1_all.deb\n", 1,
                "DPkg::Tools::Options::<hook path>::Version \"3\"");
    }

    @Test
    void truncatedInsideConfiguration() {
        byte[] full = Streams.bytes("01-install-kernel-and-zfs-dkms.v3");
        String text = new String(full, StandardCharsets.UTF_8);
        String cut = text.substring(0, text.indexOf("\n\n") + 1);
        int lines = (int) cut.chars().filter(c -> c == '\n').count();
        assertParseError(cut, lines + 1, "before the blank line that closes the apt configuration (truncated)");
    }

    @Test
    void truncatedInsideALine() {
        byte[] full = Streams.bytes("01-install-kernel-and-zfs-dkms.v3");
        byte[] cut = java.util.Arrays.copyOf(full, full.length - 10);
        assertParseError(cut, 111, "without a newline (truncated)");
    }

    @Test
    void truncatedInsideAnActionLineAtAColumnBoundary() {
        assertParseError(HEADER + "zfs-dkms - - none < 2.4.0-1\n", 5, "expected 9 space-separated columns");
    }

    @Test
    void binaryJunk() {
        byte[] junk = new byte[4096];
        new Random(42).nextBytes(junk);
        junk[0] = 'V';
        assertThatThrownBy(() -> HookStream.parse(junk)).isInstanceOf(ParseException.class)
                .hasMessageStartingWith("line ");
        assertParseError("VERSION 3\nA=\u0000b\n\n", 2, "control character 0x00");
        assertParseError(new byte[] {'V', 'E', 'R', (byte) 0xff, (byte) 0xfe, '\n'}, 1, "not valid UTF-8");
        assertParseError(HEADER + "zfs-dkms - - none < 2.4.0-1 all none **CONFIGURE**\r\n", 5, "control character 0x0d");
    }

    @Test
    void randomBytesNeverEscapeAsUncheckedExceptions() {
        Random r = new Random(7);
        byte[] base = Streams.bytes("02-armbian-in-place-kernel-upgrade.v3");
        for (int i = 0; i < 500; i++) {
            byte[] b = base.clone();
            for (int k = 0; k < 1 + r.nextInt(5); k++) {
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            }
            try {
                HookStream.parse(b);
            } catch (ParseException expected) {
                assertThat(expected.getMessage()).startsWith("line ");
            }
        }
    }

    @Test
    void overlongLine() {
        String longValue = "x".repeat(9000);
        assertParseError("VERSION 3\nA=" + longValue + "\n\n", 2, "longer than 8192 bytes");
    }

    @Test
    void tooManyLines() throws Exception {
        HookStream.Limits small = new HookStream.Limits(100, 5, 1 << 20);
        InputStream in = new ByteArrayInputStream("VERSION 3\na=1\nb=2\nc=3\nd=4\ne=5\n\n".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> HookStream.parse(in, small)).isInstanceOf(ParseException.class)
                .hasMessage("line 6: more than 5 lines");
    }

    @Test
    void tooManyBytes() {
        HookStream.Limits small = new HookStream.Limits(100, 1000, 64);
        InputStream in = new ByteArrayInputStream(("VERSION 3\n" + "a=1\n".repeat(100)).getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> HookStream.parse(in, small)).isInstanceOf(ParseException.class)
                .hasMessageContaining("input is larger than 64 bytes");
    }

    @Test
    void drainReadsToTheEnd() throws Exception {
        ByteArrayInputStream in = new ByteArrayInputStream(new byte[100_000]);
        assertThatThrownBy(() -> HookStream.parse(in)).isInstanceOf(ParseException.class);
        HookStream.drain(in);
        assertThat(in.available()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Linux-Image", "-zfs", "z", "zfs_dkms", "zfs-dkms:arm64", "../etc", "zfs%20dkms"})
    void badPackageNames(String name) {
        assertParseError(HEADER + name + " - - none < 1.0 all none **CONFIGURE**\n", 5, "is not a valid Debian package name");
    }

    @Test
    void badVersionsArchitecturesAndOperators() {
        assertParseError(HEADER + "zfs-dkms - - none < 1.0$ all none **CONFIGURE**\n", 5, "'1.0$' is not a valid new version of zfs-dkms");
        assertParseError(HEADER + "zfs-dkms 1;2 all none < 1.0 all none **CONFIGURE**\n", 5, "not a valid old version");
        assertParseError(HEADER + "zfs-dkms - - none < 1.0 ALL none **CONFIGURE**\n", 5, "not a valid new architecture");
        assertParseError(HEADER + "zfs-dkms - - none < 1.0 all some **CONFIGURE**\n", 5, "is not a Multi-Arch value");
        assertParseError(HEADER + "zfs-dkms - all none < 1.0 all none **CONFIGURE**\n", 5, "instead of '- none'");
        assertParseError(HEADER + "zfs-dkms - - none << 1.0 all none **CONFIGURE**\n", 5, "expected '<', '>' or '='");
        assertParseError(HEADER + "zfs-dkms 1.0 all none > - - none **CONFIGURE**\n", 5, "has no new version");
        assertParseError(HEADER + "zfs-dkms  - - none < 1.0 all none **CONFIGURE** x\n", 5, "empty column");
        assertParseError(HEADER + "\n", 5, "empty line among the package actions");
        assertParseError("VERSION 3\nnot a config line\n\n", 2, "expected an apt configuration line");
        assertParseError("VERSION 3\n=value\n\n", 2, "expected an apt configuration line");
        assertParseError("VERSION 3\nA=%zz\n\n", 2, "bad %-escape");
        assertParseError("VERSION 3\nA=%4\n\n", 2, "bad %-escape");
    }

    @Test
    void debPathsWithDotDotOrRelativeAreRefused() {
        assertParseError(HEADER + "zfs-dkms - - none < 1.0 all none /var/cache/apt/archives/../../../etc/x.deb\n", 5, "contains '..'");
        assertParseError(HEADER + "zfs-dkms - - none < 1.0 all none ../x.deb\n", 5, "expected an absolute .deb path");
        assertParseError(HEADER + "zfs-dkms - - none < 1.0 all none **BOGUS**\n", 5, "expected an absolute .deb path");
        assertParseError(HEADER + "zfs-dkms - - none < 1.0 all none /" + "a".repeat(5000) + "\n", 5, "longer than");
    }

    @Test
    void debPathWithANewlineSplitsIntoALineThatIsRefused() {
        assertParseError(HEADER + "zfs-dkms - - none < 1.0 all none /tmp/evil\nname.deb\n", 6, "expected 9 space-separated columns");
    }
}
