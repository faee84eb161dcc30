package org.zfsguard.readiness;

import org.zfsguard.message.NextStep;

/**
 * A verdict with the reason for it and the next command to run (null when there is nothing to do).
 */
public record Judgement(Verdict verdict, String reason, NextStep next) {
}
