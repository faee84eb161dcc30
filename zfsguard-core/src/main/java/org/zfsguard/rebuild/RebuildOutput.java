package org.zfsguard.rebuild;

/**
 * Where a rebuild reports as it goes: a build takes minutes to hours, so lines are
 * written when they happen rather than collected into the result.
 */
public interface RebuildOutput {
    /** A line of the normal account (standard output). */
    void say(String line);

    /** A line about a failure or a warning (standard error; the command line prefixes it). */
    void warn(String line);

    /** A fresh progress display for the next build. */
    ProgressListener progress();
}
