package org.zfsguard.rebuild;

/** Nanoseconds from an arbitrary origin that never go back: {@code System::nanoTime} in production. */
@FunctionalInterface
public interface MonotonicClock {
    long nanos();

    static MonotonicClock system() {
        return System::nanoTime;
    }
}
