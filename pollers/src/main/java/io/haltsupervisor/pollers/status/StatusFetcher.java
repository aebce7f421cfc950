package io.haltsupervisor.pollers.status;

import io.haltsupervisor.pollers.status.ObservationError.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fetches {@code /status} with {@link HttpClient}: HTTP/1.1 with keep-alive (the client's connection pool), a
 * connect timeout, a response timeout, an overall deadline (connect + response timeout) that also bounds a
 * body trickling in, and a size cap: a declared {@code Content-Length} over the cap is refused without
 * reading, and an undeclared body is read only up to the cap, then the exchange is cancelled. Every outcome,
 * failures included, completes the returned future normally with a {@link StatusResult}.
 *
 * <p>Each fetch runs {@link HttpClient#send} on a worker thread, reused when idle, started when none is, and
 * stopped after 30 s idle — so there are about as many as fetches in flight, which the caller bounds
 * ({@link StatusPoller}'s {@code maxInFlight}); the connection I/O itself is the client's, asynchronous. Not
 * {@code sendAsync}: in JDK 17 it completes every response through {@code CompletableFuture}'s default
 * async pool, which on a machine with two cores or fewer starts a new thread per task — a thread per poll.
 * When the deadline passes, the worker is interrupted, which cancels the exchange.
 */
public final class StatusFetcher implements AutoCloseable {
    private final HttpClient client;
    private final ExecutorService ioExecutor;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService deadlines;
    private final boolean ownsDeadlines;
    private final Duration connectTimeout;
    private final Duration responseTimeout;
    private final Duration deadline;
    private final int maxBytes;

    /**
     * @param connectTimeout  to establish a connection
     * @param responseTimeout from request sent to response headers received
     * @param maxBytes        the response size cap
     * @param threads         the HTTP client's I/O threads
     * @param deadlines       a scheduler for overall deadlines, or null to own one
     */
    public StatusFetcher(Duration connectTimeout, Duration responseTimeout, int maxBytes, int threads,
            ScheduledExecutorService deadlines) {
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        this.responseTimeout = Objects.requireNonNull(responseTimeout, "responseTimeout");
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes: expected a positive size, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.deadline = connectTimeout.plus(responseTimeout);
        this.ioExecutor = Executors.newFixedThreadPool(Math.max(1, threads), daemon("status-http-io-"));
        // reuses an idle worker when there is one, else starts one; callers bound the concurrency
        this.workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemon("status-http-"));
        this.ownsDeadlines = deadlines == null;
        this.deadlines = deadlines != null ? deadlines
                : Executors.newSingleThreadScheduledExecutor(daemon("status-deadlines-"));
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(ioExecutor)
                .build();
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Polls {@code url} once. The future always completes normally. */
    public CompletableFuture<StatusResult> fetch(URI url) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(url)
                    .timeout(responseTimeout)
                    .header("Accept", "application/json")
                    .header("User-Agent", "halt-supervisor-poller")
                    .GET()
                    .build();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(
                    StatusResult.failed(Kind.IO, "invalid status URL '" + url + "': " + e.getMessage()));
        }
        Exchange exchange = new Exchange();
        try {
            workers.execute(() -> exchange.run(request));
        } catch (RejectedExecutionException e) {
            exchange.result.complete(StatusResult.failed(Kind.IO, "the poller is shutting down"));
            return exchange.result;
        }
        ScheduledFuture<?> timer = deadlines.schedule(exchange::expire, deadline.toNanos(), TimeUnit.NANOSECONDS);
        exchange.result.whenComplete((r, e) -> timer.cancel(false));
        return exchange.result;
    }

    /** One fetch: the worker running it, and its result (the first of outcome and deadline wins). */
    private final class Exchange {
        final CompletableFuture<StatusResult> result = new CompletableFuture<>();
        private Thread worker;
        private boolean finished;

        void run(HttpRequest request) {
            synchronized (this) {
                if (result.isDone()) {
                    return; // expired while queued
                }
                worker = Thread.currentThread();
            }
            StatusResult outcome;
            try {
                HttpResponse<CappedBody> response = client.send(request, info -> capped(info, maxBytes));
                outcome = toResult(response);
            } catch (InterruptedException e) {
                outcome = StatusResult.failed(Kind.TIMEOUT, "no complete response within " + human(deadline));
            } catch (IOException | RuntimeException e) {
                outcome = fromFailure(e);
            } finally {
                synchronized (this) {
                    finished = true;
                    worker = null;
                }
                Thread.interrupted(); // an expiry racing the end of the exchange must not leak into the next task
            }
            result.complete(outcome);
        }

        void expire() {
            if (!result.complete(StatusResult.failed(Kind.TIMEOUT, "no complete response within "
                    + human(deadline)))) {
                return;
            }
            synchronized (this) {
                if (worker != null && !finished) {
                    worker.interrupt(); // HttpClient.send cancels the exchange when interrupted
                }
            }
        }
    }

    private StatusResult toResult(HttpResponse<CappedBody> response) {
        CappedBody body = response.body();
        if (body.oversized()) {
            return StatusResult.failed(Kind.OVERSIZED, body.declared().isPresent()
                    ? "response declares " + body.declared().getAsLong() + " bytes, over the cap of " + maxBytes
                    : "response larger than the cap of " + maxBytes + " bytes; stopped reading there");
        }
        String contentType = response.headers().firstValue("Content-Type").orElse(null);
        return StatusParser.parse(response.statusCode(), contentType, body.bytes());
    }

    private StatusResult fromFailure(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof CancellationException) {
            return StatusResult.failed(Kind.TIMEOUT, "no complete response within " + human(deadline));
        }
        if (t instanceof HttpConnectTimeoutException) {
            return StatusResult.failed(Kind.TIMEOUT, "connect timed out after " + human(connectTimeout));
        }
        if (t instanceof HttpTimeoutException) {
            return StatusResult.failed(Kind.TIMEOUT, "no response within " + human(responseTimeout));
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UnresolvedAddressException) {
                return StatusResult.failed(Kind.IO, "host cannot be resolved");
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return StatusResult.failed(Kind.REFUSED, "connection refused");
            }
            if (c instanceof ClosedChannelException) {
                return StatusResult.failed(Kind.IO, "connection closed before a complete response");
            }
        }
        return StatusResult.failed(Kind.IO, describe(t));
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": "
                + StatusParser.sanitize(message));
    }

    public static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    /** A body read up to the cap. */
    record CappedBody(byte[] bytes, boolean oversized, OptionalLong declared) {
    }

    private static HttpResponse.BodySubscriber<CappedBody> capped(HttpResponse.ResponseInfo info, int maxBytes) {
        OptionalLong declared = info.headers().firstValueAsLong("Content-Length");
        if (declared.isPresent() && declared.getAsLong() > maxBytes) {
            return new Refusing(new CappedBody(new byte[0], true, declared));
        }
        return new Collecting(maxBytes);
    }

    /** Refuses the body at once: cancels the subscription without reading. */
    private static final class Refusing implements HttpResponse.BodySubscriber<CappedBody> {
        private final CompletableFuture<CappedBody> result;

        Refusing(CappedBody value) {
            this.result = CompletableFuture.completedFuture(value);
        }

        @Override
        public CompletionStage<CappedBody> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.cancel();
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            // cancelled
        }

        @Override
        public void onError(Throwable throwable) {
            // the result is already decided
        }

        @Override
        public void onComplete() {
            // the result is already decided
        }
    }

    /** Collects up to {@code maxBytes}; one byte more and it cancels and reports oversized. */
    private static final class Collecting implements HttpResponse.BodySubscriber<CappedBody> {
        private final CompletableFuture<CappedBody> result = new CompletableFuture<>();
        private final List<byte[]> chunks = new ArrayList<>();
        private final int maxBytes;
        private Flow.Subscription subscription;
        private int size;

        Collecting(int maxBytes) {
            this.maxBytes = maxBytes;
        }

        @Override
        public CompletionStage<CappedBody> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : buffers) {
                int n = b.remaining();
                if ((long) size + n > maxBytes) {
                    subscription.cancel();
                    result.complete(new CappedBody(new byte[0], true, OptionalLong.empty()));
                    chunks.clear();
                    return;
                }
                byte[] chunk = new byte[n];
                b.get(chunk);
                chunks.add(chunk);
                size += n;
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            byte[] all = new byte[size];
            int at = 0;
            for (byte[] c : chunks) {
                System.arraycopy(c, 0, all, at, c.length);
                at += c.length;
            }
            chunks.clear();
            result.complete(new CappedBody(all, false, OptionalLong.empty()));
        }
    }

    @Override
    public void close() {
        workers.shutdownNow();
        ioExecutor.shutdownNow();
        if (ownsDeadlines) {
            deadlines.shutdownNow();
        }
    }
}
