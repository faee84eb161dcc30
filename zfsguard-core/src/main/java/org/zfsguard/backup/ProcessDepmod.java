package org.zfsguard.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.zfsguard.system.SystemRoot;

/** {@code depmod -b ROOT K}, run with an argument list (no shell), bounded in time. */
public final class ProcessDepmod implements Depmod {
    private static final long TIMEOUT_MINUTES = 10;

    @Override
    public void run(SystemRoot root, String kernel) throws IOException {
        List<String> cmd = List.of("depmod", "-b", root.path().toString(), KernelReleaseName.require(kernel));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new IOException("cannot start depmod (package kmod): " + e.getMessage(), e);
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readNBytes(64 * 1024);
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
