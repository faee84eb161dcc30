package org.zfsguard.apt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the shipped shell filter with real shells: /bin/sh (dash on Debian,
 * as apt runs it) and dash by name, with a stub zfsguard on PATH that records
 * whether it was started, its arguments and its standard input.
 */
class AptPreInstallFilterTest {
    static final Path SCRIPT = Path.of("..", "debian-resources", "hooks", "apt-pre-install-filter").toAbsolutePath();
    static final List<String> SHELLS = List.of("/bin/sh", "/usr/bin/dash");

    @TempDir
    Path dir;
    Path stubBin;
    Path calls;

    record Run(int exitCode, boolean called, byte[] input, String args, String stderr) {
    }

    @BeforeEach
    void stub() throws IOException {
        stubBin = dir.resolve("bin");
        calls = dir.resolve("calls");
        Files.createDirectories(stubBin);
        Files.createDirectories(calls);
        writeStub("/bin/cat >\"$ZG_CALLS/stdin\"\nprintf '%s\\n' \"$*\" >\"$ZG_CALLS/args\"\nexit \"${ZG_EXIT:-0}\"\n");
    }

    void writeStub(String body) throws IOException {
        Path stub = stubBin.resolve("zfsguard");
        Files.writeString(stub, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    Run run(String shell, byte[] stdin, Path watchList, boolean stubOnPath, int stubExit) throws Exception {
        assertThat(Path.of(shell)).as("shell under test").isExecutable();
        ProcessBuilder pb = new ProcessBuilder(shell, SCRIPT.toString());
        pb.environment().clear();
        // PATH holds the stub and nothing else: the filter itself needs no external command,
        // and a zfsguard installed on the build host must not stand in for the stub.
        Path empty = Files.createDirectories(dir.resolve("empty"));
        pb.environment().put("PATH", (stubOnPath ? stubBin : empty).toString());
        pb.environment().put("ZFSGUARD_TEST_WATCH_LIST", watchList.toAbsolutePath().toString());
        pb.environment().put("ZG_CALLS", calls.toString());
        pb.environment().put("ZG_EXIT", Integer.toString(stubExit));
        Path err = dir.resolve("stderr");
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
        Process p = pb.start();
        // The filter must take every byte: a write that fails here means it left apt's pipe unread.
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin);
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("filter finished").isTrue();
        Path args = calls.resolve("args");
        boolean called = Files.exists(args);
        Run r = new Run(p.exitValue(), called,
                called ? Files.readAllBytes(calls.resolve("stdin")) : null,
                called ? Files.readString(args).strip() : null,
                Files.readString(err));
        Files.deleteIfExists(args);
        Files.deleteIfExists(calls.resolve("stdin"));
        return r;
    }

    Run run(String shell, byte[] stdin) throws Exception {
        return run(shell, stdin, WatchListTest.SHIPPED, true, 0);
    }

    static List<Arguments> shellsAndStreams() {
        List<Arguments> args = new ArrayList<>();
        for (String shell : SHELLS) {
            for (String stream : Streams.ALL) {
                args.add(Arguments.of(shell, stream));
            }
        }
        return args;
    }

    @Test
    void binShIsTheShellAptUses() throws IOException {
        // Debian and Ubuntu link /bin/sh to dash; the filter is written for it.
        assertThat(Path.of("/bin/sh").toRealPath().getFileName().toString()).isIn("dash", "bash", "busybox");
    }

    @ParameterizedTest
    @MethodSource("shellsAndStreams")
    void forwardsExactlyTheStreamsThatTouchWatchedPackages(String shell, String stream) throws Exception {
        byte[] bytes = Streams.bytes(stream);
        Run r = run(shell, bytes);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stderr()).isEmpty();
        boolean watched = !stream.startsWith("03-");
        assertThat(r.called()).as("zfsguard started for " + stream).isEqualTo(watched);
        if (watched) {
            assertThat(r.args()).isEqualTo("hook apt-pre-install");
            assertThat(r.input()).as("stream re-fed unchanged").isEqualTo(bytes);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "linux-image-current-rockchip64", "linux-image-unsigned-6.8.0-31-generic", "linux-headers-6.1.0-56-arm64",
        "linux-modules-extra-6.8.0-31-generic", "linux-dtb-current-rockchip64", "linux-kbuild-6.1", "zfs-dkms",
        "spl-dkms", "zfsutils-linux", "zfs-initramfs", "zfs-dracut", "dkms", "initramfs-tools", "dracut-core",
        "sysstat-standin", "linux-libc-dev", "linux-firmware", "linux-image", "libzfs4linux", "dkms-helper",
        "initramfs-tools-bin", "zfs-dkms2", "xzfs-dkms"})
    void shellAndJavaReadTheWatchListAlike(String name) throws Exception {
        byte[] stream = ("VERSION 3\nA=1\n\n" + name + " - - none < 1.0 all none **CONFIGURE**\n")
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(run("/bin/sh", stream).called()).as(name).isEqualTo(WatchListTest.shipped().matches(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/sh", "/usr/bin/dash"})
    void missingWatchListForwardsEverything(String shell) throws Exception {
        byte[] bytes = Streams.bytes("03-unrelated-package.v3");
        Run r = run(shell, bytes, dir.resolve("no-such-list"), true, 0);
        assertThat(r.exitCode()).isZero();
        assertThat(r.called()).isTrue();
        assertThat(r.input()).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/sh", "/usr/bin/dash"})
    void withoutZfsguardInstalledItConsumesTheStreamAndSucceeds(String shell) throws Exception {
        Run r = run(shell, Streams.bytes("01-install-kernel-and-zfs-dkms.v3"), dir.resolve("gone"), false, 0);
        assertThat(r.exitCode()).isZero();
        assertThat(r.called()).isFalse();
        assertThat(r.stderr()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/sh", "/usr/bin/dash"})
    void thePreflightRefusalReachesApt(String shell) throws Exception {
        Run r = run(shell, Streams.bytes("02-armbian-in-place-kernel-upgrade.v3"), WatchListTest.SHIPPED, true, 10);
        assertThat(r.called()).isTrue();
        assertThat(r.exitCode()).isEqualTo(10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/sh", "/usr/bin/dash"})
    void anyOtherFailureOfZfsguardIsReportedAndAptGoesOn(String shell) throws Exception {
        for (int status : new int[] {1, 2, 64, 127, 134}) {
            Run r = run(shell, Streams.bytes("02-armbian-in-place-kernel-upgrade.v3"), WatchListTest.SHIPPED, true,
                    status);
            assertThat(r.called()).isTrue();
            assertThat(r.exitCode()).as("zfsguard exit %d", status).isZero();
            assertThat(r.stderr()).contains("exit " + status).contains("apt goes on");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/sh", "/usr/bin/dash"})
    void unknownProtocolAndTruncatedStreamsAreLeftToZfsguardToReport(String shell) throws Exception {
        byte[] v1 = "/var/cache/apt/archives/sysstat_12.6.1-1_arm64.deb\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(run(shell, v1).called()).isTrue();
        byte[] truncated = "VERSION 3\nAPT::Architecture=arm64\nDir=/".getBytes(StandardCharsets.US_ASCII);
        Run r = run(shell, truncated);
        assertThat(r.called()).isTrue();
        assertThat(r.input()).isEqualTo(truncated);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/sh", "/usr/bin/dash"})
    void emptyInputStartsNothing(String shell) throws Exception {
        Run r = run(shell, new byte[0]);
        assertThat(r.exitCode()).isZero();
        assertThat(r.called()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/sh", "/usr/bin/dash"})
    void largeStreamsAreConsumedWholeAndForwardedUnchanged(String shell) throws Exception {
        StringBuilder b = new StringBuilder("VERSION 3\nAPT::Architecture=arm64\n\n");
        for (int i = 0; i < 3000; i++) {
            b.append("libfoo").append(i).append(" 1.").append(i).append(" arm64 same < 1.").append(i)
                    .append("-2 arm64 same /var/cache/apt/archives/libfoo").append(i).append("_1.").append(i)
                    .append("-2_arm64.deb\n");
        }
        byte[] unwatched = b.toString().getBytes(StandardCharsets.US_ASCII);
        assertThat(unwatched.length).isGreaterThan(256 * 1024);
        assertThatCode(() -> assertThat(run(shell, unwatched).called()).isFalse()).doesNotThrowAnyException();

        byte[] watched = (b + "zfs-dkms 2.3.2-1 all none < 2.4.0-1 all none **CONFIGURE**\n")
                .getBytes(StandardCharsets.US_ASCII);
        Run r = run(shell, watched);
        assertThat(r.called()).isTrue();
        assertThat(r.input()).isEqualTo(watched);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/sh", "/usr/bin/dash"})
    void zfsguardThatReadsNothingDoesNotHangTheFilter(String shell) throws Exception {
        writeStub("printf '%s\\n' \"$*\" >\"$ZG_CALLS/args\"\n: >\"$ZG_CALLS/stdin\"\nexit 0\n");
        Run r = run(shell, Streams.bytes("01-install-kernel-and-zfs-dkms.v3"));
        assertThat(r.called()).isTrue();
        assertThat(r.exitCode()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/sh", "/usr/bin/dash"})
    void globsInTheListNeverExpandAgainstFiles(String shell) throws Exception {
        // With pathname expansion on, "zfs-*" run in a directory holding "zfs-x" would become "zfs-x".
        Path list = dir.resolve("list");
        Files.writeString(list, "# test\nzfs-*\n");
        Files.createFile(dir.resolve("zfs-x"));
        byte[] bytes = "VERSION 3\nA=1\n\nzfs-dkms - - none < 2.4.0-1 all none **CONFIGURE**\n".getBytes(StandardCharsets.US_ASCII);
        Run r = runIn(shell, bytes, list);
        assertThat(r.called()).isTrue();
    }

    Run runIn(String shell, byte[] stdin, Path list) throws Exception {
        // run from the temp dir so that an unquoted glob could see its files
        ProcessBuilder pb = new ProcessBuilder(shell, SCRIPT.toString()).directory(dir.toFile());
        pb.environment().put("PATH", stubBin.toString());
        pb.environment().put("ZFSGUARD_TEST_WATCH_LIST", list.toString());
        pb.environment().put("ZG_CALLS", calls.toString());
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), Files.exists(calls.resolve("args")), null, null, "");
    }
}
