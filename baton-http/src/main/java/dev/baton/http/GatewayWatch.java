package dev.baton.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import dev.baton.spi.BackendContext;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watch as {@code GET /v1/watch?prefix=P}, an event stream read line by line as it arrives (no
 * thread held). When the stream ends or fails it reconnects after {@link #RETRY} with {@code
 * Last-Event-ID}, so the gateway replays what was missed; if it cannot ({@code resync}), the sink
 * gets RESYNC and the consumer re-reads the state. Events reach the core's sink in stream order on
 * the HttpClient's executor; the sink only enqueues.
 *
 * <p>Invariants: one stream at a time ({@link #current} replaced only by the completion of the
 * previous one); after {@link #close} no stream is opened and the open one is cancelled.
 */
final class GatewayWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayWatch.class);
    static final Duration RETRY = Duration.ofMillis(500);

    private final GatewayClient gateway;
    private final BackendContext ctx;
    private final String prefix;
    private final Consumer<WatchEvent> sink;
    private final Reachability reachability;
    // the first stream's hello (or resync): the gateway's hub has attached it
    private final CompletableFuture<Void> attached = new CompletableFuture<>();

    private volatile String lastId;
    private volatile boolean closed;
    private volatile Flow.Subscription current;
    private volatile boolean connected; // the first stream was accepted: reconnect when one ends

    GatewayWatch(
            GatewayClient gateway,
            BackendContext ctx,
            String prefix,
            Consumer<WatchEvent> sink,
            Reachability reachability) {
        this.gateway = gateway;
        this.ctx = ctx;
        this.prefix = prefix;
        this.sink = sink;
        this.reachability = reachability;
    }

    /**
     * Opens the first stream and waits until the gateway answered (so a bad watch fails here) and
     * sent its {@code hello}: only then has the gateway's hub attached the stream, so a change made
     * after this returns is surely delivered (before the hello it could fall before the attachment
     * and be missed without a resync).
     */
    void start() {
        int status;
        long bound = ctx.config().connectTimeout().toMillis() + 1000;
        try {
            status = open().get(bound, TimeUnit.MILLISECONDS);
            if (status == 200) {
                attached.get(bound, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw gateway.unreachable(e);
        } catch (ExecutionException | TimeoutException e) {
            close();
            throw gateway.unreachable(e);
        }
        if (status != 200) {
            close();
            throw gateway.failure(status, "watch of \"" + prefix + "\" refused");
        }
        connected = true;
    }

    /**
     * Opens a stream; the future completes with the status as soon as the headers arrive (the
     * response itself completes only when the stream ends, which then reconnects).
     */
    private CompletableFuture<Integer> open() {
        var b =
                gateway.request("/v1/watch?prefix=" + prefix, Duration.ofDays(3650))
                        .header("Accept", "text/event-stream");
        String resume = lastId;
        if (resume != null) {
            b.header("Last-Event-ID", resume);
        }
        SseLines parser = new SseLines(this::event);
        CompletableFuture<Integer> status = new CompletableFuture<>();
        HttpResponse.BodyHandler<Void> handler =
                info -> {
                    status.complete(info.statusCode());
                    if (info.statusCode() != 200) {
                        return HttpResponse.BodySubscribers.discarding();
                    }
                    return HttpResponse.BodySubscribers.fromLineSubscriber(
                            new Flow.Subscriber<String>() {
                                @Override
                                public void onSubscribe(Flow.Subscription s) {
                                    current = s;
                                    if (closed) {
                                        s.cancel();
                                    } else {
                                        s.request(Long.MAX_VALUE);
                                    }
                                }

                                @Override
                                public void onNext(String line) {
                                    if (!closed) {
                                        parser.line(line);
                                    }
                                }

                                @Override
                                public void onError(Throwable t) {}

                                @Override
                                public void onComplete() {}
                            });
                };
        gateway.sendAsync(b.GET().build(), handler)
                .whenComplete(
                        (r, failure) -> {
                            if (failure != null) {
                                status.completeExceptionally(failure);
                            }
                            if (connected) {
                                ended(failure); // the stream ended, failed or was refused
                            }
                        });
        return status;
    }

    private void ended(Throwable why) {
        if (closed) {
            return;
        }
        log.debug("watch of \"{}\" ended ({}); resuming after {}", prefix, why, lastId);
        if (why == null) {
            why = new IOException("stream closed");
        }
        try {
            ctx.scheduler()
                    .schedule(
                            () -> {
                                if (!closed) {
                                    open();
                                }
                            },
                            RETRY.toMillis(),
                            TimeUnit.MILLISECONDS);
        } catch (RuntimeException closing) {
            // the client is closing
        }
    }

    private void event(SseLines.Event e) {
        if (e.id() != null) {
            lastId = e.id();
        }
        JsonNode d;
        try {
            d = GatewayClient.JSON.readTree(e.data());
        } catch (IOException bad) {
            log.warn("watch of \"{}\": unreadable event {}", prefix, e);
            return;
        }
        switch (e.type()) {
            case "put" ->
                    sink.accept(
                            WatchEvent.put(
                                    new Versioned(
                                            d.path("key").asText(),
                                            Base64.getDecoder().decode(d.path("base64").asText()),
                                            d.path("version").asLong())));
            case "delete" -> sink.accept(WatchEvent.delete(d.path("key").asText()));
            case "lock" ->
                    sink.accept(
                            WatchEvent.lock(
                                    d.path("name").asText(),
                                    d.path("lock").isObject()
                                            ? Snapshots.of(d.path("lock"))
                                            : null));
            case "resync" -> {
                connection(d);
                sink.accept(WatchEvent.resync());
            }
            // The gateway's own client lost or regained its engine: the core tells every
            // subscription, once, whatever number of streams forward it.
            case "disconnected" -> reachability.engine(false);
            case "reconnected" -> reachability.engine(true);
            case "hello" -> connection(d);
            default -> {} // a type this client does not know
        }
        attached.complete(null); // hello (or resync) comes first on every stream
    }

    /** A stream's first event tells the gateway's connection to its engine, if it says. */
    private void connection(JsonNode d) {
        String c = d.path("connection").asText("");
        if (!c.isEmpty()) {
            reachability.engine(c.equals("CONNECTED"));
        }
    }

    @Override
    public void close() {
        closed = true;
        Flow.Subscription s = current;
        if (s != null) {
            s.cancel();
        }
    }
}
