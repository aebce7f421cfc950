package io.haltsupervisor.devtools.bench;

import io.haltsupervisor.pollers.ObservationSink;
import io.haltsupervisor.pollers.PollTarget;
import io.haltsupervisor.pollers.PollerMetrics;
import io.haltsupervisor.pollers.PollersConfig;
import io.haltsupervisor.pollers.StatusFetcher;
import io.haltsupervisor.pollers.StatusPoller;
import io.haltsupervisor.sandbox.seid.SimulatedSeidServer;
import io.haltsupervisor.schemas.Topic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@code ./supervisor bench poller}: one status poller against 10,000 simulated {@code seid} endpoints on
 * loopback, polled every 5 s for 60 s (after a warm-up of two intervals, while every target's random phase
 * settles): achieved polls/s against the target rate, scheduling lateness (how late polls start after their due
 * time) p50/p99/max, and the process CPU time used. Then, in the same run, a plain closed-loop load generator
 * (back-to-back GETs from a few threads, no scheduling, no parsing) against the same endpoints, for the ratio.
 * docs/requirements.md §7: 10,000 nodes at 5 s within one core.
 *
 * <p>The endpoints are served by a {@link SimulatedSeidServer} in a child JVM, so this process's CPU time is the
 * poller's own (HTTP client, parsing, change detection, serialising what it publishes, GC, JIT). Observations
 * go to a sink that serialises them with the topics' serdes but does not send them: the broker is not what
 * is measured here. All endpoints share one host and port, so keep-alive connections are shared between
 * targets; against 10,000 real pods each target keeps its own connection, which costs memory and file
 * descriptors rather than CPU per poll.
 *
 * <p>Options: {@code --nodes N} (10000), {@code --interval D} (5s), {@code --duration D} (60s),
 * {@code --warmup D} (two intervals), {@code --max-in-flight N} (256), {@code --server-threads N} (4),
 * {@code --loadgen D} (15s), {@code --loadgen-threads N} (16), {@code --in-process} (serve the endpoints from
 * this JVM). The last line is machine-readable:
 * {@code name=poller rate=… p99_ms=… cpu_cores=… target_rate=… loadgen_rate=… ratio=…}.
 */
public final class PollerBench {
    private PollerBench() {
    }

    /** Runs the benchmark; returns the process exit code. */
    public static int run(String[] args) {
        return run(args, System.out);
    }

    static int run(String[] args, PrintStream out) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench poller: " + e.getMessage());
            return 2;
        }
        // one log line per target (polling…, first-seen…) is noise at 10,000 targets
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.haltsupervisor.pollers"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        try (Endpoints endpoints = o.inProcess ? Endpoints.inProcess(o) : Endpoints.childJvm(o)) {
            return measure(o, endpoints, out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println("bench poller: interrupted");
            return 1;
        }
    }

    private static int measure(Options o, Endpoints endpoints, PrintStream out) throws InterruptedException {
        out.printf(Locale.ROOT, "poller bench: %d endpoints at %s (%s), interval %s, jitter 10%%, max in flight %d%n",
                o.nodes, endpoints.base(), o.inProcess ? "simulated seid in this JVM" : "simulated seid in a child JVM",
                human(o.interval), o.maxInFlight);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

        ScheduledThreadPoolExecutor scheduler = StatusPoller.newScheduler();
        StatusFetcher fetcher = new StatusFetcher(Duration.ofSeconds(2), Duration.ofSeconds(3), 1024 * 1024, 2,
                scheduler);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicLong published = new AtomicLong();
        AtomicLong publishedBytes = new AtomicLong();
        ObservationSink sink = new ObservationSink() {
            @Override
            public <V> CompletableFuture<Void> publish(Topic<String, V> topic, String key, V value) {
                byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
                published.incrementAndGet();
                publishedBytes.addAndGet(bytes == null ? 0 : bytes.length);
                return CompletableFuture.completedFuture(null);
            }
        };
        StatusPoller[] holder = new StatusPoller[1];
        PollerMetrics metrics = new PollerMetrics(registry, () -> holder[0] == null ? 0 : holder[0].targetCount());
        StatusPoller poller = new StatusPoller(new StatusPoller.Settings(o.interval, 0.1, Duration.ofSeconds(60),
                o.maxInFlight, Duration.ofMinutes(1)), fetcher::fetch, sink, metrics, Clock.systemUTC(), scheduler);
        holder[0] = poller;
        double targetRate = o.nodes / (o.interval.toNanos() / 1e9);
        try {
            for (int i = 0; i < o.nodes; i++) {
                poller.upsert(new PollTarget("bench-" + i, "bench/node-" + i, "node-" + i + "-0",
                        endpoints.base().resolve("/nodes/node-" + i + "/status"), "ghcr.io/sei-protocol/seid:v5.9.0"));
            }
            Thread.sleep(o.warmup.toMillis());

            int capacity = (int) Math.min(Integer.MAX_VALUE - 8, (long) (targetRate * o.duration.toSeconds() * 2) + 1024);
            AtomicLongArray lateness = new AtomicLongArray(capacity);
            AtomicInteger recorded = new AtomicInteger();
            metrics.onLateness(nanos -> {
                int at = recorded.getAndIncrement();
                if (at < capacity) {
                    lateness.set(at, nanos);
                }
            });
            double polls0 = metrics.pollCount();
            double errors0 = errors(registry);
            long published0 = published.get();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            long measureEnd = t0 + o.duration.toNanos();
            int peakInFlight = 0;
            while (System.nanoTime() < measureEnd) {
                peakInFlight = Math.max(peakInFlight, poller.inFlight());
                Thread.sleep(5);
            }
            long cpu1 = os.getProcessCpuTime();
            long t1 = System.nanoTime();
            double polls = metrics.pollCount() - polls0;
            double errors = errors(registry) - errors0;
            long pub = published.get() - published0;
            metrics.onLateness(null);

            double seconds = (t1 - t0) / 1e9;
            double rate = polls / seconds;
            double cpuSeconds = (cpu1 - cpu0) / 1e9;
            double cores = cpuSeconds / seconds;
            int n = Math.min(recorded.get(), capacity);
            long[] late = new long[n];
            for (int i = 0; i < n; i++) {
                late[i] = lateness.get(i);
            }
            Arrays.sort(late);
            double p50 = percentileMs(late, 0.50);
            double p99 = percentileMs(late, 0.99);
            double max = n == 0 ? 0 : late[n - 1] / 1e6;
            out.printf(Locale.ROOT, "warm-up %s, measured %s%n", human(o.warmup), human(o.duration));
            out.printf(Locale.ROOT, "polls: %.0f in %.1f s = %.1f/s (target %.1f/s), observation errors %.0f, "
                    + "observations published %d (%d bytes total since start)%n", polls, seconds, rate, targetRate,
                    errors, pub, publishedBytes.get());
            out.printf(Locale.ROOT, "lateness: p50 %.2f ms, p99 %.2f ms, max %.1f ms (%d polls)%n", p50, p99, max, n);
            out.printf(Locale.ROOT, "poll round trip: mean %.2f ms, max %.1f ms (last 2 min); in flight: peak %d of %d "
                    + "(sampled every 5 ms)%n", metrics.latency().mean(TimeUnit.MILLISECONDS),
                    metrics.latency().max(TimeUnit.MILLISECONDS), peakInFlight, o.maxInFlight);
            out.printf(Locale.ROOT, "poller cpu: %.2f s over %.1f s = %.3f cores (process CPU time, GC and JIT "
                    + "included), %.1f µs per poll%n", cpuSeconds, seconds, cores, polls == 0 ? 0 : cpuSeconds * 1e6 / polls);
            poller.close();
            scheduler.shutdownNow();
            fetcher.close();
            holder[0] = null;

            LoadResult load = loadGenerate(o, endpoints, os);
            out.printf(Locale.ROOT, "load generator: %d threads, closed loop, %s: %d requests = %.1f/s, %.3f cores, "
                    + "%.1f µs per request%n", o.loadgenThreads, human(o.loadgen), load.requests(), load.rate(),
                    load.cores(), load.rate() == 0 ? 0 : load.cores() * 1e6 / load.rate());
            double ratio = load.rate() == 0 ? 0 : rate / load.rate();
            out.printf(Locale.ROOT, "name=poller rate=%.1f p99_ms=%.2f cpu_cores=%.3f target_rate=%.1f "
                    + "loadgen_rate=%.1f ratio=%.3f%n", rate, p99, cores, targetRate, load.rate(), ratio);
            out.flush();
            return 0;
        } finally {
            poller.close();
            scheduler.shutdownNow();
            fetcher.close();
        }
    }

    private static double errors(SimpleMeterRegistry registry) {
        return registry.find("halt_supervisor.poller.errors").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static double percentileMs(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    private record LoadResult(long requests, double rate, double cores) {
    }

    /** Back-to-back GETs of random endpoints from a few threads: what the endpoints can serve to a plain client. */
    private static LoadResult loadGenerate(Options o, Endpoints endpoints, com.sun.management.OperatingSystemMXBean os)
            throws InterruptedException {
        ExecutorService io = Executors.newFixedThreadPool(2, daemon("loadgen-io"));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).executor(io).build();
        List<URI> urls = new ArrayList<>(o.nodes);
        for (int i = 0; i < o.nodes; i++) {
            urls.add(endpoints.base().resolve("/nodes/node-" + i + "/status"));
        }
        AtomicLong ok = new AtomicLong();
        long end = System.nanoTime() + o.loadgen.toNanos();
        ExecutorService threads = Executors.newFixedThreadPool(o.loadgenThreads, daemon("loadgen"));
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        for (int t = 0; t < o.loadgenThreads; t++) {
            threads.execute(() -> {
                while (System.nanoTime() < end) {
                    URI url = urls.get(ThreadLocalRandom.current().nextInt(urls.size()));
                    try {
                        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(url)
                                .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() == 200) {
                            ok.incrementAndGet();
                        }
                    } catch (IOException e) {
                        // counted as not ok
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            });
        }
        threads.shutdown();
        threads.awaitTermination(o.loadgen.toSeconds() + 30, TimeUnit.SECONDS);
        long cpu1 = os.getProcessCpuTime();
        double seconds = (System.nanoTime() - t0) / 1e9;
        io.shutdownNow();
        return new LoadResult(ok.get(), ok.get() / seconds, (cpu1 - cpu0) / 1e9 / seconds);
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    /** The endpoints: a simulated seid server in a child JVM or in this one. */
    private interface Endpoints extends AutoCloseable {
        URI base();

        @Override
        void close();

        static Endpoints inProcess(Options o) {
            SimulatedSeidServer server = SimulatedSeidServer.start(o.serverThreads);
            for (int i = 0; i < o.nodes; i++) {
                server.node("node-" + i).height(1_000_000L + i);
            }
            return new Endpoints() {
                @Override
                public URI base() {
                    return server.baseUri();
                }

                @Override
                public void close() {
                    server.close();
                }
            };
        }

        static Endpoints childJvm(Options o) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-Xms256m", "-Xmx1g", "-cp",
                    System.getProperty("java.class.path"), SimulatedSeidServer.class.getName(),
                    "--nodes", Integer.toString(o.nodes), "--threads", Integer.toString(o.serverThreads))
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            Process process;
            try {
                process = pb.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the simulated seid JVM", e);
            }
            Thread reaper = new Thread(process::destroyForcibly, "bench-seid-reaper");
            Runtime.getRuntime().addShutdownHook(reaper);
            URI base = null;
            try {
                BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8));
                for (String line; (line = lines.readLine()) != null; ) {
                    if (line.startsWith("url=")) {
                        base = URI.create(line.substring(4).strip());
                        break;
                    }
                }
                Thread drain = new Thread(() -> {
                    try {
                        while (lines.readLine() != null) {
                            // keep the child's stdout from filling up
                        }
                    } catch (IOException e) {
                        // the child is gone
                    }
                }, "bench-seid-stdout");
                drain.setDaemon(true);
                drain.start();
            } catch (IOException e) {
                process.destroyForcibly();
                throw new UncheckedIOException("cannot read the simulated seid JVM's URL", e);
            }
            if (base == null) {
                process.destroyForcibly();
                throw new IllegalStateException("the simulated seid JVM exited without serving");
            }
            URI url = base;
            return new Endpoints() {
                @Override
                public URI base() {
                    return url;
                }

                @Override
                public void close() {
                    process.destroy();
                    try {
                        if (!process.waitFor(5, TimeUnit.SECONDS)) {
                            process.destroyForcibly();
                        }
                        Runtime.getRuntime().removeShutdownHook(reaper);
                    } catch (InterruptedException e) {
                        process.destroyForcibly();
                        Thread.currentThread().interrupt();
                    } catch (IllegalStateException e) {
                        // shutting down already
                    }
                }
            };
        }
    }

    /** Command-line options. */
    static final class Options {
        int nodes = 10_000;
        Duration interval = Duration.ofSeconds(5);
        Duration duration = Duration.ofSeconds(60);
        Duration warmup;
        int maxInFlight = 256;
        int serverThreads = 4;
        Duration loadgen = Duration.ofSeconds(15);
        int loadgenThreads = 16;
        boolean inProcess;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--in-process")) {
                    o.inProcess = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + ": expected a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--nodes" -> o.nodes = positive(a, v);
                    case "--interval" -> o.interval = PollersConfig.parseDuration(a, v);
                    case "--duration" -> o.duration = PollersConfig.parseDuration(a, v);
                    case "--warmup" -> o.warmup = PollersConfig.parseDuration(a, v);
                    case "--max-in-flight" -> o.maxInFlight = positive(a, v);
                    case "--server-threads" -> o.serverThreads = positive(a, v);
                    case "--loadgen" -> o.loadgen = PollersConfig.parseDuration(a, v);
                    case "--loadgen-threads" -> o.loadgenThreads = positive(a, v);
                    default -> throw new IllegalArgumentException("unknown option '" + a + "': expected --nodes, "
                            + "--interval, --duration, --warmup, --max-in-flight, --server-threads, --loadgen, "
                            + "--loadgen-threads or --in-process");
                }
            }
            if (o.warmup == null) {
                o.warmup = o.interval.multipliedBy(2);
            }
            return o;
        }

        private static int positive(String option, String value) {
            try {
                int n = Integer.parseInt(value);
                if (n < 1) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": expected a positive integer, got '" + value + "'");
            }
        }
    }
}
