package org.zfsguard.dpkg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.testing.LockHolder;

/** The probe against locks that other processes really hold: a child JVM, and dpkg itself. */
class DpkgLocksTest {
    @TempDir
    Path root;
    @TempDir
    Path work;

    Path dpkgDir() throws IOException {
        return Files.createDirectories(root.resolve("var/lib/dpkg"));
    }

    Path lockFile(String name) throws IOException {
        Path p = dpkgDir().resolve(name);
        Files.writeString(p, "");
        return p;
    }

    DpkgLocks locks() {
        return new DpkgLocks(SystemRoot.at(root));
    }

    @Test
    void aSystemWhereDpkgNeverRanIsIdleAndGetsNoLockFiles() throws IOException {
        dpkgDir();
        assertThat(locks().heldByOthers()).isEmpty();
        assertThat(root.resolve("var/lib/dpkg/lock-frontend")).doesNotExist();
        assertThat(root.resolve("var/lib/dpkg/lock")).doesNotExist();
    }

    @Test
    void lockFilesNobodyHoldsMeanIdle() throws IOException {
        lockFile("lock-frontend");
        lockFile("lock");
        assertThat(locks().heldByOthers()).isEmpty();
        // the probe released what it took: another process can lock at once
        try (LockHolder h = LockHolder.hold(root.resolve("var/lib/dpkg/lock"), false)) {
            assertThat(locks().heldByOthers()).contains("/var/lib/dpkg/lock");
        }
    }

    @Test
    void theFrontendLockHeldByAnotherProcessIsFoundAndGoesWithIt() throws IOException {
        Path frontend = lockFile("lock-frontend");
        lockFile("lock");
        try (LockHolder h = LockHolder.hold(frontend, false)) {
            assertThat(locks().heldByOthers()).contains("/var/lib/dpkg/lock-frontend");
        }
        assertThat(locks().heldByOthers()).isEmpty();
    }

    @Test
    void theInnerLockAloneIsEnough() throws IOException {
        lockFile("lock-frontend");
        Path inner = lockFile("lock");
        try (LockHolder h = LockHolder.hold(inner, false)) {
            assertThat(locks().heldByOthers()).contains("/var/lib/dpkg/lock");
        }
    }

    @Test
    void aSharedLockOfAnotherProcessCountsAsBusyToo() throws IOException {
        Path frontend = lockFile("lock-frontend");
        try (LockHolder h = LockHolder.hold(frontend, true)) {
            assertThat(locks().heldByOthers()).contains("/var/lib/dpkg/lock-frontend");
        }
    }

    @Test
    void aLockFileLinkedOutOfTheRootIsResolvedInsideIt() throws IOException {
        Path outside = Files.writeString(work.resolve("outside-lock"), "");
        Files.createSymbolicLink(dpkgDir().resolve("lock-frontend"), outside);
        try (LockHolder h = LockHolder.hold(outside, false)) {
            // ROOT + outside does not exist: the host file is never opened, let alone locked
            assertThat(locks().heldByOthers()).isEmpty();
        }
        assertThat(root.resolve(outside.toString().substring(1))).doesNotExist();
    }

    @Test
    void aLockFileThatCannotBeOpenedForWritingIsProbedForReading() throws IOException {
        Path frontend = lockFile("lock-frontend");
        Files.setPosixFilePermissions(frontend, PosixFilePermissions.fromString("r--r--r--"));
        boolean writable = Files.isWritable(frontend); // root writes anyway; then this is the normal path
        try (LockHolder h = LockHolder.hold(frontend, true)) {
            // a shared probe does not conflict with a shared lock; an exclusive one does
            assertThat(DpkgLocks.isHeld(frontend)).isEqualTo(writable);
        }
        try (LockHolder h = LockHolder.hold(frontend, false)) {
            assertThat(DpkgLocks.isHeld(frontend)).isTrue();
        }
    }

    /**
     * dpkg itself, on a private admin directory, installing a package whose postinst waits:
     * dpkg holds both locks while maintainer scripts run, and the probe sees them.
     */
    @Test
    void aRealDpkgRunIsSeenWhileItRunsAndNotAfter() throws Exception {
        Path admin = dpkgDir();
        Files.createDirectories(admin.resolve("updates"));
        Files.createDirectories(admin.resolve("info"));
        Files.writeString(admin.resolve("status"), "");
        Path pkg = Files.createDirectories(work.resolve("pkg/DEBIAN"));
        Files.writeString(pkg.resolve("control"), "Package: zfsguard-lock-probe\nVersion: 1\nArchitecture: all\n"
                + "Maintainer: test <test@example.org>\nDescription: holds the dpkg lock for a test\n");
        Path postinst = Files.writeString(pkg.resolve("postinst"), "#!/bin/sh\nset -eu\n: > \"$MARK\"\n"
                + "i=0\nwhile [ ! -e \"$RELEASE\" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done\n");
        Files.setPosixFilePermissions(postinst, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path deb = work.resolve("probe.deb");
        assertThat(new ProcessBuilder(List.of("dpkg-deb", "--root-owner-group", "-b", pkg.getParent().toString(), deb.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor()).isZero();

        Path mark = work.resolve("mark");
        Path release = work.resolve("release");
        ProcessBuilder pb = new ProcessBuilder(List.of("dpkg", "--root=" + root, "--admindir=" + admin,
                "--force-script-chrootless", "--force-not-root", "--log=/dev/null", "-i", deb.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("MARK", mark.toString());
        pb.environment().put("RELEASE", release.toString());
        Process dpkg = pb.start();
        try {
            for (int i = 0; i < 600 && !Files.exists(mark) && dpkg.isAlive(); i++) {
                Thread.sleep(50);
            }
            assertThat(mark).as("dpkg ran the postinst").exists();

            assertThat(locks().heldByOthers()).contains("/var/lib/dpkg/lock-frontend");
            assertThat(DpkgLocks.isHeld(admin.resolve("lock"))).isTrue();

            Files.writeString(release, "");
            assertThat(dpkg.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(dpkg.exitValue()).isZero();
            assertThat(locks().heldByOthers()).isEmpty();
        } finally {
            Files.writeString(release, "");
            dpkg.destroyForcibly();
        }
    }
}
