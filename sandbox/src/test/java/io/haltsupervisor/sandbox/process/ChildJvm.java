package io.haltsupervisor.sandbox.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A component run in a JVM of its own, for fault tests that kill it with {@code SIGKILL}: a main class from
 * this JVM's classpath (under Surefire/Failsafe, the test classpath: {@code java.class.path} names the booter's
 * manifest-only jar, whose {@code Class-Path} lists every entry, and the child JVM honours it), with an
 * environment of its own. Its stdout and stderr go to a log file and, line by line, to {@link #awaitLine}.
 *
 * <pre>{@code
 * try (ChildJvm decider = ChildJvm.start("decider-1", DeciderChild.class, env, log)) {
 *     decider.awaitLine(l -> l.contains("RUNNING"), Duration.ofSeconds(60));
 *     decider.kill();   // SIGKILL: no shutdown hook runs
 * }
 * }</pre>
 */
public final class ChildJvm implements AutoCloseable {
    private final String name;
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread pump;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.pump = new Thread(() -> pump(log), "child-jvm-" + name);
        this.pump.setDaemon(true);
        this.pump.start();
    }

    /**
     * Starts {@code main} in a new JVM ({@code -Xmx512m}) with this JVM's classpath and {@code env} added to this
     * process's environment; output is appended to {@code log}.
     */
    public static ChildJvm start(String name, Class<?> main, Map<String, String> env, List<String> args, Path log) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            return new ChildJvm(name, pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    private void pump(Path log) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                     StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
            out.println("===== " + name + " (pid " + process.pid() + ") =====");
            for (String line; (line = in.readLine()) != null; ) {
                out.println(line);
                lines.add(line);
            }
        } catch (IOException e) {
            // the child is gone
        }
    }

    /**
     * Waits for an output line matching {@code match} and returns it; lines before it are consumed.
     *
     * @throws IllegalStateException when the child exits or the timeout passes first
     */
    public String awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException(name + ": no matching output line within " + timeout);
            }
            String line = lines.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
            if (line != null && match.test(line)) {
                return line;
            }
            if (line == null && !process.isAlive() && lines.isEmpty()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue()
                        + " before a matching output line");
            }
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** {@code SIGKILL}s the child and waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") survived SIGKILL for 30 s");
        }
        pump.join(5_000);
    }

    /** Kills the child if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + (process.isAlive() ? "" : ", exited") + "]";
    }
}
