package org.zfsguard.rebuild;

import java.time.Duration;

/** Waits between two polls; tests substitute one that advances a fake clock. */
@FunctionalInterface
public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    static Sleeper system() {
        return d -> Thread.sleep(d.toMillis());
    }
}
