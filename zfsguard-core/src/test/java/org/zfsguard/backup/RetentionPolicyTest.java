package org.zfsguard.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.zfsguard.backup.RetentionPolicy.SetRef;

class RetentionPolicyTest {
    static SetRef set(String id, String kernel, int minute) {
        return set(id, kernel, minute, "same");
    }

    static SetRef set(String id, String kernel, int minute, String content) {
        return new SetRef(id, kernel, Instant.parse("2026-11-24T04:00:00Z").plusSeconds(60L * minute), content);
    }

    static final SetRef A1 = set("a1", "A", 1);
    static final SetRef B1 = set("b1", "B", 2);
    static final SetRef A2 = set("a2", "A", 3);
    static final SetRef C1 = set("c1", "C", 4);
    static final SetRef C2 = set("c2", "C", 5);

    @Test
    void keepsTheNewestBackupOfTheLastNKernels() {
        assertThat(RetentionPolicy.toDelete(List.of(A1, B1, A2, C1, C2), 2, Set.of()))
                .containsExactlyInAnyOrder(C1, A1, B1);
    }

    @Test
    void aBackupMadeByThisRunIsTheNewestOfItsKernelEvenWithinTheSameSecondAndIsNeverDeleted() {
        SetRef earlier = set("b-zzz", "B", 9);
        SetRef fresh = set("b-aaa", "B", 9); // same second, sorts before the other by id
        assertThat(RetentionPolicy.toDelete(List.of(earlier, fresh), 1, Set.of(), Set.of("b-aaa")))
                .containsExactly(earlier);
        assertThat(RetentionPolicy.toDelete(List.of(earlier, fresh), 1, Set.of())).containsExactly(fresh);
        // made this run but beyond keep_kernels: still kept
        assertThat(RetentionPolicy.toDelete(List.of(A1, C2), 1, Set.of(), Set.of("a1", "c2"))).isEmpty();
    }

    @Test
    void neverDeletesTheOnlyBackupOfAProtectedKernel() {
        assertThat(RetentionPolicy.toDelete(List.of(A1, B1, A2, C1, C2), 1, Set.of("B")))
                .containsExactlyInAnyOrder(C1, A1, A2);
        assertThat(RetentionPolicy.toDelete(List.of(B1), 1, Set.of("B"))).isEmpty();
    }

    @Test
    void aProtectedKernelKeepsItsNewestNotEveryBackup() {
        assertThat(RetentionPolicy.toDelete(List.of(A1, A2, C2), 1, Set.of("A"))).containsExactly(A1);
    }

    @Test
    void anEarlierBackupOfTheSameKernelWithOtherFilesIsKeptToo() {
        SetRef withZfs = set("k1", "K", 1, "build-with-zfs");
        SetRef olderWithZfs = set("k0", "K", 0, "build-with-zfs");
        SetRef withoutZfs = set("k2", "K", 2, "zfs-removed");
        SetRef withoutZfsAgain = set("k3", "K", 3, "zfs-removed");
        assertThat(RetentionPolicy.toDelete(List.of(olderWithZfs, withZfs, withoutZfs, withoutZfsAgain), 1, Set.of()))
                .containsExactlyInAnyOrder(olderWithZfs, withoutZfs);
    }

    @Test
    void nothingToDeleteWhenEverythingFits() {
        assertThat(RetentionPolicy.toDelete(List.of(A2, B1), 2, Set.of())).isEmpty();
        assertThat(RetentionPolicy.toDelete(List.of(), 2, Set.of())).isEmpty();
    }

    @Test
    void keepingNoKernelIsNotAPolicy() {
        assertThatThrownBy(() -> RetentionPolicy.toDelete(List.of(A1), 0, Set.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sameTimeIsOrderedById() {
        SetRef x = set("k@20261124T040000Z-aaaaaa", "K", 0);
        SetRef y = set("k@20261124T040000Z-bbbbbb", "K", 0);
        assertThat(x.content()).isEqualTo(y.content());
        assertThat(RetentionPolicy.toDelete(List.of(x, y), 1, Set.of())).containsExactly(x);
    }
}
