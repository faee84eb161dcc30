package org.zfsguard.rebuild;

/** Receives a build's progress: a status every poll, and messages when something happens. */
public interface ProgressListener {
    void status(BuildStatus status);

    /** Something worth a line of its own: pause, resume, abort, thermal situation. */
    void event(String message);

    /** Called once when the build has ended, so a progress line can be finished. */
    default void finish() {
    }

    ProgressListener NONE = new ProgressListener() {
        @Override
        public void status(BuildStatus status) {
        }

        @Override
        public void event(String message) {
        }
    };
}
