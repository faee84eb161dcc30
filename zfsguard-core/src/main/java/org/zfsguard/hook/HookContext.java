package org.zfsguard.hook;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.zfsguard.config.Config;
import org.zfsguard.config.ConfigException;
import org.zfsguard.message.NextStep;
import org.zfsguard.state.EventJournal;
import org.zfsguard.state.StateDir;
import org.zfsguard.system.SystemRoot;

/**
 * What every hook needs, set up so that nothing in it can stop apt: a broken
 * configuration falls back to the defaults, a journal that cannot be written
 * is reported, a lock held too long is waited for a bounded time and then
 * the work that needs it is skipped with a warning.
 */
public final class HookContext {
    /** How long a hook waits for another zfsguard process before it skips the work that needs the lock. */
    public static final Duration LOCK_WAIT = Duration.ofSeconds(20);

    private final SystemRoot root;
    private final PrintWriter out;
    private final Map<String, String> env;
    private Config config;
    private StateDir state;
    private Duration lockWait = LOCK_WAIT;

    public HookContext(SystemRoot root, PrintWriter out, Map<String, String> env) {
        this.root = root;
        this.out = out;
        this.env = Map.copyOf(env);
    }

    public SystemRoot root() {
        return root;
    }

    /** How long this hook waits for a lock before it skips the work that needs it. */
    public Duration lockWait() {
        return lockWait;
    }

    /** A shorter wait, for tests that hold the lock from another process. */
    HookContext lockWait(Duration wait) {
        this.lockWait = wait;
        return this;
    }

    public Optional<String> env(String name) {
        return Optional.ofNullable(env.get(name));
    }

    /** One line for the operator, in apt's output. */
    public void say(String line) {
        out.println("zfsguard: " + line);
        out.flush();
    }

    public Config config() {
        if (config == null) {
            try {
                config = Config.load(root);
            } catch (ConfigException e) {
                say("WARNING: the configuration (" + Config.PATH + ", " + Config.DROP_IN_DIR + ") is not usable, using the defaults: "
                        + e.getMessage().replace('\n', ';'));
                say("  " + NextStep.zfsguard("status").line(root) + "   (after fixing it)");
                config = Config.defaults();
            }
        }
        return config;
    }

    public StateDir state() throws IOException {
        if (state == null) {
            state = StateDir.of(root);
        }
        return state;
    }

    public PendingRecord pending() throws IOException {
        return new PendingRecord(state());
    }

    /** Appends to the event journal; a failure is reported, never thrown. */
    public void journal(String event, Map<String, ?> fields) {
        try {
            EventJournal.of(state()).append(event, fields);
        } catch (IOException | RuntimeException e) {
            say("WARNING: could not write the event journal: " + e.getMessage());
        }
    }

}
