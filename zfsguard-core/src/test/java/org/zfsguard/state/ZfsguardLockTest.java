package org.zfsguard.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZfsguardLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondHolderTimesOutNamingThePidOfTheFirst() throws IOException {
        StateDir state = StateDir.at(dir.resolve("var/lib/zfsguard"));
        try (ZfsguardLock first = ZfsguardLock.acquire(state, Duration.ofSeconds(1))) {
            assertThat(first).isNotNull();
            assertThat(Files.readString(state.lockFile()).strip()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
            assertThatThrownBy(() -> ZfsguardLock.acquire(state, Duration.ofMillis(250)))
                    .isInstanceOf(LockBusyException.class)
                    .hasMessageContaining("zfsguard process " + ProcessHandle.current().pid())
                    .hasMessageContaining("waited 250 ms")
                    .satisfies(e -> assertThat(((LockBusyException) e).holderPid()).hasValue(ProcessHandle.current().pid()));
        }
    }

    @Test
    void theLockIsFreeAgainOnceReleased() throws IOException {
        StateDir state = StateDir.at(dir);
        ZfsguardLock.acquire(state, Duration.ZERO).close();
        try (ZfsguardLock again = ZfsguardLock.acquire(state, Duration.ZERO)) {
            assertThat(again).isNotNull();
        }
    }

    @Test
    void aWaiterGetsTheLockWhenTheHolderLetsGoWithinTheWait() throws Exception {
        StateDir state = StateDir.at(dir);
        ZfsguardLock first = ZfsguardLock.acquire(state, Duration.ZERO);
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(200);
                first.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        releaser.start();
        try (ZfsguardLock second = ZfsguardLock.acquire(state, Duration.ofSeconds(30))) {
            assertThat(second).isNotNull();
        }
        releaser.join();
    }

    @Test
    void aHolderWithoutARecordedPidIsStillReportedClearly() throws IOException {
        Path file = dir.resolve("lock");
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE); var held = ch.lock()) {
            assertThat(held.isValid()).isTrue();
            assertThatThrownBy(() -> ZfsguardLock.acquire(file, Duration.ZERO))
                    .isInstanceOf(LockBusyException.class)
                    .hasMessageStartingWith("another zfsguard process holds");
        }
    }
}
