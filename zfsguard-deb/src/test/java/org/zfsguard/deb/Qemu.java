package org.zfsguard.deb;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One amd64 virtual machine under QEMU with TCG: the serial console and QMP on unix sockets in
 * its own directory. The console is read on a thread into a transcript ({@code console.log});
 * waits look for a pattern in what arrived since the last wait, with a bounded timeout, and a
 * failure carries the last screen of the console. KVM is not used: the /dev/kvm of these
 * machines runs only guest kernels built for it (see the field notes), so the rig uses TCG
 * unless a probe proves otherwise, and no such probe is needed for correctness.
 */
final class Qemu implements AutoCloseable {
    private static final AtomicInteger COMMANDS = new AtomicInteger();

    private final Path dir;
    private final Process process;
    private final SocketChannel serial;
    private final SocketChannel qmp;
    private final BufferedReader qmpIn;
    private final StringBuilder console = new StringBuilder();
    private final Thread reader;
    private int cursor;

    /**
     * Starts a VM on {@code disks} (virtio, in order vda, vdb, ...: qcow2 unless they end in
     * .raw). {@code kernelBoot} is null to boot from the disk (GRUB), else kernel, initrd and
     * command line for QEMU's direct kernel boot.
     */
    static Qemu start(Path dir, List<Path> disks, List<String> kernelBoot) {
        try {
            Files.createDirectories(dir);
            Path serialSock = dir.resolve("serial.sock");
            Path qmpSock = dir.resolve("qmp.sock");
            Files.deleteIfExists(serialSock);
            Files.deleteIfExists(qmpSock);
            List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-machine", "pc",
                    "-accel", "tcg,thread=multi", "-cpu", "max", "-smp", "2", "-m", "1536",
                    "-display", "none", "-monitor", "none", "-nic", "none",
                    "-chardev", "socket,id=ser0,path=" + serialSock + ",server=on,wait=off", "-serial", "chardev:ser0",
                    "-qmp", "unix:" + qmpSock + ",server=on,wait=off"));
            for (Path d : disks) {
                String format = d.toString().endsWith(".raw") ? "raw" : "qcow2";
                cmd.addAll(List.of("-drive", "file=" + d + ",if=virtio,format=" + format + ",cache=unsafe"));
            }
            if (kernelBoot != null) {
                cmd.addAll(List.of("-kernel", kernelBoot.get(0), "-initrd", kernelBoot.get(1), "-append", kernelBoot.get(2)));
            }
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().clear();
            pb.environment().putAll(Exec.baseEnvironment());
            pb.redirectErrorStream(true);
            pb.redirectOutput(dir.resolve("qemu.log").toFile());
            Process p = pb.start();
            SocketChannel s = connect(serialSock, p);
            SocketChannel q = connect(qmpSock, p);
            return new Qemu(dir, p, s, q);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SocketChannel connect(Path sock, Process p) throws IOException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            if (Files.exists(sock)) {
                try {
                    SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                    c.connect(UnixDomainSocketAddress.of(sock));
                    return c;
                } catch (IOException e) {
                    // QEMU created the socket but does not listen yet
                }
            }
            if (!p.isAlive() || System.nanoTime() > end) {
                throw new AssertionError("QEMU did not open " + sock + " (exit " + (p.isAlive() ? "none" : p.exitValue()) + ")");
            }
            sleep(100);
        }
    }

    private Qemu(Path dir, Process process, SocketChannel serial, SocketChannel qmp) throws IOException {
        this.dir = dir;
        this.process = process;
        this.serial = serial;
        this.qmp = qmp;
        this.qmpIn = new BufferedReader(new InputStreamReader(Channels.newInputStream(qmp), StandardCharsets.UTF_8));
        qmpIn.readLine(); // greeting
        qmpCommand("{\"execute\":\"qmp_capabilities\"}");
        this.reader = new Thread(this::readConsole, "vm-console");
        reader.setDaemon(true);
        reader.start();
    }

    private void readConsole() {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        Path log = dir.resolve("console.log");
        try {
            while (serial.read(buf) >= 0) {
                buf.flip();
                String text = StandardCharsets.UTF_8.decode(buf).toString().replace("\r", "");
                buf.clear();
                synchronized (console) {
                    console.append(text);
                    console.notifyAll();
                }
                Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            // the VM went away; waits report it with the last screen
        }
    }

    /** Waits for {@code pattern} in the console output after the previous match, or fails with the last screen. */
    Matcher waitFor(Pattern pattern, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (console) {
            while (true) {
                Matcher m = pattern.matcher(console);
                if (m.find(cursor)) {
                    cursor = m.end();
                    return m;
                }
                long left = end - System.nanoTime();
                if (left <= 0 || !process.isAlive()) {
                    throw new AssertionError("VM: no '" + pattern + "' within " + timeout.toSeconds() + " s"
                            + (process.isAlive() ? "" : " (QEMU exited)") + "; last screen:\n" + lastScreen());
                }
                try {
                    console.wait(Math.max(1, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(left))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /**
     * Runs a shell command line at the root shell on the console and returns its output and exit
     * code. The end marker is computed by the shell, so the echoed command line never matches it.
     */
    Result run(String commandLine, Duration timeout) {
        int id = COMMANDS.incrementAndGet() + 1000;
        String begin = "@@B" + id + "@@";
        String endTag = "@@E" + id + "@@";
        type("echo @@B$((" + id + "))@@; " + commandLine + "; echo \"@@E$((" + id + "))@@ rc=$?\"\n");
        waitFor(Pattern.compile(Pattern.quote(begin) + "\n"), Duration.ofSeconds(60));
        int start = cursor;
        Matcher m = waitFor(Pattern.compile(Pattern.quote(endTag) + " rc=(\\d+)"), timeout);
        String out;
        synchronized (console) {
            out = console.substring(start, m.start());
        }
        return new Result(commandLine, Integer.parseInt(m.group(1)), out);
    }

    record Result(String command, int exitCode, String output) {
        Result orFail() {
            if (exitCode != 0) {
                throw new AssertionError("in the VM: '" + command + "' exited " + exitCode + ":\n" + output);
            }
            return this;
        }
    }

    void type(String text) {
        try {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                serial.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Cuts the power and powers on again (QMP system_reset), as a power cut would. */
    void reset() {
        qmpCommand("{\"execute\":\"system_reset\"}");
    }

    String qmpCommand(String json) {
        try {
            ByteBuffer b = ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                qmp.write(b);
            }
            while (true) {
                String line = qmpIn.readLine();
                if (line == null) {
                    throw new AssertionError("QMP closed; last screen:\n" + lastScreen());
                }
                if (line.contains("\"return\"") || line.contains("\"error\"")) {
                    return line;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for QEMU to exit by itself (a guest poweroff). */
    void waitForExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("VM did not power off within " + timeout.toSeconds() + " s; last screen:\n" + lastScreen());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The last 40 lines of the console. */
    String lastScreen() {
        synchronized (console) {
            String[] lines = console.toString().split("\n", -1);
            int from = Math.max(0, lines.length - 40);
            return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                qmpCommand("{\"execute\":\"quit\"}");
            } catch (RuntimeException | AssertionError e) {
                // killed below
            }
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        try {
            serial.close();
            qmp.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
