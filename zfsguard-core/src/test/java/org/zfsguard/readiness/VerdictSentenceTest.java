package org.zfsguard.readiness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.zfsguard.message.NextStep;

class VerdictSentenceTest {

    private static ReadinessReport report(ReadinessReport.Overall overall, String reason) {
        return new ReadinessReport("/", overall != ReadinessReport.Overall.NO_ZFS, null, null, null, false, "",
                List.of(), List.of(), overall, reason);
    }

    @Test
    void eachOutcomeHasOneSentence() {
        assertThat(VerdictSentence.of(report(ReadinessReport.Overall.SAFE, "next boot kernel K has a working ZFS module")))
                .isEqualTo("SAFE TO REBOOT: next boot kernel K has a working ZFS module");
        assertThat(VerdictSentence.of(report(ReadinessReport.Overall.NOT_SAFE, "next boot kernel K is MISSING: x")))
                .isEqualTo("NOT SAFE TO REBOOT: next boot kernel K is MISSING: x");
        assertThat(VerdictSentence.of(report(ReadinessReport.Overall.UNKNOWN, "the kernel that boots next is not known: y")))
                .isEqualTo("CANNOT TELL whether the next reboot is safe: the kernel that boots next is not known: y");
        assertThat(VerdictSentence.of(report(ReadinessReport.Overall.NO_ZFS, "ZFS is not installed on this system")))
                .startsWith("NO ZFS: ZFS is not installed on this system");
    }

    @Test
    void aReasonReadFromDiskCannotMoveTheCursor() {
        assertThat(VerdictSentence.of(report(ReadinessReport.Overall.NOT_SAFE, "bad\u001b[2Jname"))).doesNotContain("\u001b");
    }

    @Test
    void aVerdictThatCannotTellPointsAtTheFullPicture() {
        assertThat(VerdictSentence.nextStep(report(ReadinessReport.Overall.UNKNOWN, "r"))).contains(NextStep.zfsguard("status"));
        assertThat(VerdictSentence.nextStep(report(ReadinessReport.Overall.SAFE, "r"))).isEmpty();
        assertThat(VerdictSentence.nextStep(report(ReadinessReport.Overall.NO_ZFS, "r"))).isEmpty();
    }
}
