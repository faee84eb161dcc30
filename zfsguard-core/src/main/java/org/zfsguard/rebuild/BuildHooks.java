package org.zfsguard.rebuild;

/**
 * Where the caller plugs in what surrounds a build: backing up the module that will be
 * replaced, and after the build verifying readiness, refreshing the initramfs, or
 * restoring the backup when the build failed or was aborted.
 */
public interface BuildHooks {

    /** Runs before DKMS starts; throwing {@link BuildRefusedException} cancels the build. */
    default void beforeBuild(DkmsInvocation invocation) throws BuildRefusedException {
    }

    /**
     * Runs whenever {@link #beforeBuild} succeeded, whatever happened next (success,
     * failure, thermal abort, DKMS not even starting), so that a backup taken before can
     * be restored; returns the result to report.
     */
    default BuildResult afterBuild(DkmsInvocation invocation, BuildResult result) {
        return result;
    }

    BuildHooks NONE = new BuildHooks() {
    };

    /** A reason not to start a build (the backup failed, the lock is held...). */
    final class BuildRefusedException extends Exception {
        public BuildRefusedException(String message) {
            super(message);
        }
    }
}
