package org.zfsguard.rebuild;

import org.zfsguard.kernel.KernelRelease;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import org.zfsguard.system.SystemRoot;

/**
 * One {@code dkms install zfs/<v> -k <K> -j <N>} as zfsguard runs it: at the lowest CPU
 * and I/O priority, with the job count given three ways because DKMS honours different
 * ones in different versions and ignores {@code MAKEFLAGS} (FIELD-NOTES §2):
 * {@code -j N} on the command line, {@code parallel_jobs=N} in the environment, and
 * {@code ZFSGUARD_JOBS=N} for the {@code /etc/dkms/zfs.conf} block that bounds DKMS's own
 * ZFS builds (docs/dkms-autoinstall.md).
 *
 * @param zfsVersion the DKMS module version, as in {@code /usr/src/zfs-<v>}
 * @param kernel     the kernel to build for, never the running one by default
 * @param jobs       parallel compiler jobs, 1..64
 * @param force      replace a stale module that DKMS considers installed
 */
public record DkmsInvocation(String zfsVersion, KernelRelease kernel, int jobs, boolean force, BuildTools tools) {
    public static final int MAX_JOBS = 64;
    public static final String MODULE = "zfs";
    private static final Pattern VERSION = Pattern.compile("[0-9][A-Za-z0-9.+~-]{0,63}");
    /** Make variables from the caller's environment that would change the build behind our back. */
    public static final Set<String> CLEARED_ENVIRONMENT = Set.of("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "GNUMAKEFLAGS");

    public DkmsInvocation {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(tools, "tools");
        checkVersion(zfsVersion);
        if (jobs < 1 || jobs > MAX_JOBS) {
            throw new IllegalArgumentException("jobs must be 1.." + MAX_JOBS + ", got " + jobs);
        }
    }

    public static DkmsInvocation of(String zfsVersion, KernelRelease kernel, int jobs, boolean force) {
        return new DkmsInvocation(zfsVersion, kernel, jobs, force, BuildTools.standard());
    }

    /** Rejects anything but a plain module version such as {@code 2.2.7} or {@code 2.1.11}. */
    public static String checkVersion(String v) {
        Objects.requireNonNull(v, "zfs version");
        if (!VERSION.matcher(v).matches() || v.contains("..")) {
            throw new IllegalArgumentException("not a ZFS module version: '" + SystemRoot.printable(v) + "'");
        }
        return v;
    }

    /** The command line, as an argument list: no shell ever sees it. */
    public List<String> argv() {
        List<String> argv = new ArrayList<>(List.of(tools.nice(), "-n", "19", tools.ionice(), "-c", "3"));
        argv.addAll(tools.dkms());
        argv.addAll(List.of("install", MODULE + "/" + zfsVersion, "-k", kernel.text(), "-j", Integer.toString(jobs)));
        if (force) {
            argv.add("--force");
        }
        return List.copyOf(argv);
    }

    /** Variables set for the build, on top of the inherited environment minus {@link #CLEARED_ENVIRONMENT}. */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("parallel_jobs", Integer.toString(jobs));
        env.put("ZFSGUARD_JOBS", Integer.toString(jobs));
        // OpenZFS's configure compiles its kernel checks with make -j$(nproc) unless told.
        env.put("TEST_JOBS", Integer.toString(jobs));
        return env;
    }

    /** Where DKMS writes the compiler output, as the target names it. */
    public String makeLogPath() {
        return "/var/lib/dkms/" + MODULE + "/" + zfsVersion + "/build/make.log";
    }

    /** The command for people (dry run, messages): copy-pasteable into a root shell. */
    public String render() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : environment().entrySet()) {
            b.append(e.getKey()).append('=').append(quote(e.getValue())).append(' ');
        }
        List<String> argv = argv();
        for (int i = 0; i < argv.size(); i++) {
            b.append(i == 0 ? "" : " ").append(quote(argv.get(i)));
        }
        return b.toString();
    }

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._+~/=:,@%-]+");

    static String quote(String s) {
        if (SAFE.matcher(s).matches()) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
