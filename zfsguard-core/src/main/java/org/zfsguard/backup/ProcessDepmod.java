package org.zfsguard.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.zfsguard.system.SystemRoot;
import org.zfsguard.kernel.KernelRelease;

/** {@code depmod -b ROOT K}, run with an argument list (no shell), bounded in time. */
public final class ProcessDepmod implements Depmod {
    private static final long TIMEOUT_MINUTES = 10;

    /** The host's depmod (it runs on the host, against the root): hooks may run with a PATH without sbin. */
    private static String program() {
        for (String p : List.of("/usr/sbin/depmod", "/sbin/depmod", "/usr/bin/depmod")) {
            if (java.nio.file.Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return "depmod";
    }

    /**
     * depmod opens {@code ROOT/lib/modules/K} as the host sees it: an absolute
     * symlink there (or at {@code /lib}, {@code /lib/modules}) would make it
     * rewrite the host's module index. Refuses to run unless the tree, as the
     * host resolves it, stays inside the root. A merged-/usr {@code /lib -> usr/lib}
     * (relative, inside the root) is fine.
     */
    static void checkTree(SystemRoot root, String kernel) throws IOException {
        Path top = root.path().toRealPath();
        for (String sub : List.of("lib/modules", "lib/modules/" + kernel)) {
            Path p = root.path().resolve(sub);
            if (!java.nio.file.Files.exists(p)) {
                continue;
            }
            Path real = p.toRealPath();
            if (!real.startsWith(top)) {
                throw new IOException("refusing to run depmod: /" + sub + " leads out of the system root (to "
                        + SystemRoot.printable(real.toString()) + ")");
            }
        }
    }

    /**
     * Reads all the output (a process blocks once its pipe is full, and depmod
     * warns once per odd module), keeping the start for the message.
     */
    private static byte[] drain(java.io.InputStream in) throws IOException {
        byte[] head = new byte[8192];
        int kept = 0;
        byte[] buf = new byte[8192];
        for (int r; (r = in.read(buf)) > 0;) {
            int take = Math.min(r, head.length - kept);
            System.arraycopy(buf, 0, head, kept, take);
            kept += take;
        }
        return java.util.Arrays.copyOf(head, kept);
    }

    @Override
    public void run(SystemRoot root, String kernel) throws IOException {
        KernelRelease.require(kernel);
        checkTree(root, kernel);
        List<String> cmd = List.of(program(), "-b", root.path().toString(), kernel);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new IOException("cannot start depmod (package kmod): " + e.getMessage(), e);
        }
        p.getOutputStream().close();
        byte[] out = drain(p.getInputStream());
        try {
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("depmod did not finish within " + TIMEOUT_MINUTES + " minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while depmod ran", e);
        }
        if (p.exitValue() != 0) {
            String text = new String(out, StandardCharsets.UTF_8).strip();
            int nl = text.indexOf('\n');
            throw new IOException("depmod exited with " + p.exitValue()
                    + (text.isEmpty() ? "" : ": " + SystemRoot.printable(nl < 0 ? text : text.substring(0, nl))));
        }
    }
}
