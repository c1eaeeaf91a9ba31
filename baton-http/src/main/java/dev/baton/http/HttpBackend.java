package dev.baton.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.BackendUnavailableException;
import dev.baton.ClientClosedException;
import dev.baton.LockSnapshot;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.Backend;
import dev.baton.spi.BackendContext;
import dev.baton.spi.GrantSink;
import dev.baton.spi.NotHolderException;
import dev.baton.spi.PendingAcquire;
import dev.baton.spi.PendingAwait;
import dev.baton.spi.Renewal;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One Baton client's connection to a Baton gateway ({@code http://} / {@code https://}): the
 * library's semantics, served by the engine behind the gateway, over the gateway's HTTP API.
 *
 * <p>The mapping: one gateway session per client, TTL = the client's lease TTL, created with the
 * client id as its {@code client} name (listings then name this client's holders by its id, as the
 * library does). {@link #renew} is one keep-alive for every grant; its answer lists the leases the
 * session still carries, so a grant not listed is {@link Renewal#GONE}. An acquire is a long poll
 * ({@link Acquisition}); release is {@code POST /v1/locks/release}; inspection and listings are
 * {@code GET /v1/locks}; key/value is {@code /v1/kv} with ETags and {@code If-Match}/{@code
 * If-None-Match}; a watch is an event stream ({@link GatewayWatch}); close deletes the session,
 * which releases its leases and withdraws its waits.
 *
 * <p>Deadlines stay conservative: the gateway counts a session's deadline from when it received the
 * last keep-alive and answers with {@code remainingMs}, the time the client may count from when it
 * <em>sent</em> the request (the smaller of the session's time left and the gateway's own
 * conservative deadline for each lease). The core counts {@code sentAt + ttl − margin}. A grant is
 * reported with {@code sentAt} moved back so that the core's deadline never passes {@code sentAt +
 * remainingMs − margin}; a keep-alive promising less than {@code ttl − margin} confirms nothing
 * ({@link Renewal#UNDECIDED}) and then moves the deadlines to {@code sentAt + remainingMs − margin}
 * by {@link BackendContext#sessionConfirmed} with the send time moved back likewise (the SPI has no
 * verdict that carries a shorter deadline).
 *
 * <p>Threads: no thread of its own but the HttpClient's executor ({@code baton-http-<clientId>},
 * cached daemon threads, and the JDK's selector thread), where answers complete the core's sinks
 * and futures (never user code: the core moves continuations to its callback executor). The idle
 * keep-alive and watch reconnects are timers on the core's scheduler, which only send. Blocking
 * calls (release, reads, kv, withdraw, close) wait on the calling thread, bounded by {@code
 * connectTimeout}.
 */
final class HttpBackend implements Backend<HttpGrant> {
    private final GatewayClient gateway;
    private final BackendContext ctx;
    private final Duration ttl;
    private final Duration timeout;
    private final ExecutorService executor;
    private final GatewaySession session;
    private final Reachability reachability;
    private final Set<Acquisition> inFlight = ConcurrentHashMap.newKeySet();
    private final Set<ConditionWait> waits = ConcurrentHashMap.newKeySet();
    private final Set<GatewayWatch> watches = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    HttpBackend(GatewayClient gateway, BackendContext ctx, ExecutorService executor) {
        this.gateway = gateway;
        this.ctx = ctx;
        this.ttl = ctx.config().leaseTtl();
        this.timeout = ctx.config().connectTimeout();
        this.executor = executor;
        this.reachability = new Reachability(ctx);
        this.session = new GatewaySession(gateway, ctx, ttl, reachability);
    }

    @Override
    public Duration leaseTtl() {
        return ttl;
    }

    // ---- leases ----

    @Override
    public PendingAcquire acquire(AcquireRequest request, GrantSink<HttpGrant> sink) {
        if (closed) {
            throw new ClientClosedException(ctx.clientId());
        }
        Acquisition[] self = new Acquisition[1];
        Acquisition a =
                new Acquisition(
                        gateway, session, ctx, request, sink, ttl, () -> inFlight.remove(self[0]));
        self[0] = a;
        inFlight.add(a);
        if (closed) { // close ran before the add and could not see it
            inFlight.remove(a);
            a.closed();
            return () -> {};
        }
        a.send();
        return a::withdraw;
    }

    @Override
    public void release(HttpGrant grant) {
        if (closed) {
            return; // deleting the session released it
        }
        HttpResponse<byte[]> r =
                gateway.send(
                        post(
                                "/v1/locks/release",
                                GatewayClient.JSON.createObjectNode().put("lease", grant.lease())));
        if (r.statusCode() != 200 && r.statusCode() != 404) { // 404: gone already
            throw gateway.failure(r);
        }
    }

    @Override
    public CompletionStage<List<Renewal>> renew(List<HttpGrant> grants) {
        CompletableFuture<List<Renewal>> out = new CompletableFuture<>();
        session.keepAlive()
                .whenComplete(
                        (answer, failure) -> {
                            if (failure != null) {
                                out.completeExceptionally(gateway.unreachable(failure));
                                return;
                            }
                            long margin = ctx.config().safetyMargin().toNanos();
                            long promised = Duration.ofMillis(answer.remainingMs()).toNanos();
                            boolean full = promised >= ttl.toNanos() - margin;
                            List<Renewal> verdicts = new ArrayList<>(grants.size());
                            for (HttpGrant g : grants) {
                                boolean carried =
                                        g.session().equals(answer.session())
                                                && answer.leases().contains(g.lease());
                                verdicts.add(
                                        !carried
                                                ? Renewal.GONE
                                                : full ? Renewal.CONFIRMED : Renewal.UNDECIDED);
                            }
                            out.complete(verdicts);
                            if (!full) {
                                // deadline = sentAt + remainingMs − margin (see the class comment)
                                ctx.sessionConfirmed(answer.sentAt() + promised - ttl.toNanos());
                            }
                        });
        return out;
    }

    // ---- monitors ----

    /**
     * The gateway's atomic first step, then a long poll for the wake-up ({@link ConditionWait}).
     *
     * <p>{@code holder == null} (only the two-step control asks for it: join the wait queue giving
     * up nothing) has no route of its own: the control enters the monitor, waiting at most the
     * connect timeout, and waits with that grant. Seen from the engine the waiter joins the queue
     * just as late, which is all the control shows.
     */
    @Override
    public PendingAwait await(
            HttpGrant holder, String condition, AcquireRequest reentry, GrantSink<HttpGrant> sink) {
        if (closed) {
            throw new ClientClosedException(ctx.clientId());
        }
        HttpGrant giving = holder != null ? holder : enterForControl(reentry);
        ConditionWait[] self = new ConditionWait[1];
        ConditionWait w =
                new ConditionWait(
                        gateway,
                        session,
                        ctx,
                        giving.session(),
                        reentry,
                        sink,
                        ttl,
                        () -> waits.remove(self[0]));
        self[0] = w;
        waits.add(w);
        if (closed) { // close ran before the add and could not see it
            waits.remove(w);
            w.closed();
            return w;
        }
        try {
            w.start(giving, condition);
        } catch (RuntimeException e) {
            waits.remove(w);
            throw e;
        }
        return w;
    }

    /** The two-step control's entry: a grant of the monitor, within the connect timeout. */
    private HttpGrant enterForControl(AcquireRequest reentry) {
        CompletableFuture<HttpGrant> entered = new CompletableFuture<>();
        PendingAcquire p =
                acquire(
                        reentry,
                        new GrantSink<>() {
                            @Override
                            public void granted(long token, long sentAtNanos, HttpGrant grant) {
                                if (!entered.complete(grant)) {
                                    release(grant);
                                }
                            }

                            @Override
                            public void denied() {
                                entered.completeExceptionally(
                                        new BackendUnavailableException("not entered"));
                            }

                            @Override
                            public void failed(Throwable error) {
                                entered.completeExceptionally(error);
                            }
                        });
        try {
            return entered.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.withdraw();
            throw new BackendUnavailableException("interrupted entering " + reentry.name(), e);
        } catch (ExecutionException | TimeoutException e) {
            p.withdraw();
            throw new BackendUnavailableException(
                    "the two-step control could not enter \""
                            + reentry.name()
                            + "\" within "
                            + timeout.toMillis()
                            + " ms",
                    e);
        }
    }

    @Override
    public int signal(HttpGrant holder, String monitor, String condition, boolean all) {
        HttpResponse<byte[]> r =
                gateway.send(
                        post(
                                "/v1/monitors/signal",
                                GatewayClient.JSON
                                        .createObjectNode()
                                        .put("lease", holder.lease())
                                        .put("condition", condition)
                                        .put("all", all)));
        if (r.statusCode() == 409 || r.statusCode() == 404) {
            throw new NotHolderException(
                    "gateway "
                            + gateway.shown()
                            + " answered "
                            + r.statusCode()
                            + " "
                            + GatewayClient.code(r)
                            + " to a signal of \""
                            + condition
                            + "\" of \""
                            + monitor
                            + "\"");
        }
        return ok(r).path("woken").asInt();
    }

    // ---- reads ----

    @Override
    public Optional<LockSnapshot> inspect(String name) {
        return locks(name).stream().filter(s -> s.name().equals(name)).findFirst();
    }

    @Override
    public List<LockSnapshot> locks(String prefix) {
        JsonNode all = ok(gateway.send(getRequest("/v1/locks?prefix=" + prefix)));
        List<LockSnapshot> out = new ArrayList<>();
        all.forEach(l -> out.add(Snapshots.of(l)));
        return out;
    }

    // ---- key/value ----

    @Override
    public Optional<Versioned> get(String key) {
        HttpResponse<byte[]> r = gateway.send(getRequest("/v1/kv/" + key));
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        if (r.statusCode() != 200) {
            throw gateway.failure(r);
        }
        return Optional.of(new Versioned(key, r.body(), etag(r)));
    }

    @Override
    public Versioned put(String key, byte[] value) {
        return written(key, value, gateway.send(putRequest(key, value).build())).orElseThrow();
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        HttpRequest.Builder b = putRequest(key, value);
        if (expectedVersion == Versioned.ABSENT) {
            b.header("If-None-Match", "*");
        } else {
            b.header("If-Match", "\"" + expectedVersion + "\"");
        }
        return written(key, value, gateway.send(b.build()));
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        HttpRequest.Builder b = gateway.request("/v1/kv/" + key, timeout).DELETE();
        if (expectedVersion >= 0) {
            b.header("If-Match", "\"" + expectedVersion + "\"");
        }
        HttpResponse<byte[]> r = gateway.send(b.build());
        return switch (r.statusCode()) {
            case 204 -> true;
            case 404, 412 -> false;
            default -> throw gateway.failure(r);
        };
    }

    @Override
    public List<String> keys(String prefix) {
        List<String> out = new ArrayList<>();
        ok(gateway.send(getRequest("/v1/kv?prefix=" + prefix)))
                .path("keys")
                .forEach(k -> out.add(k.asText()));
        return out;
    }

    private HttpRequest.Builder putRequest(String key, byte[] value) {
        return gateway.request("/v1/kv/" + key, timeout)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(value));
    }

    /** A PUT's answer: the version written, or empty on 412 (a condition missed). */
    private Optional<Versioned> written(String key, byte[] value, HttpResponse<byte[]> r) {
        if (r.statusCode() == 412) {
            return Optional.empty();
        }
        return Optional.of(new Versioned(key, value, ok(r).path("version").asLong()));
    }

    private static long etag(HttpResponse<byte[]> r) {
        String t = r.headers().firstValue("ETag").orElse("\"0\"").trim();
        return Long.parseLong(t.replace("\"", ""));
    }

    // ---- watches ----

    @Override
    public AutoCloseable watch(String prefix, Consumer<WatchEvent> sink) {
        GatewayWatch w = new GatewayWatch(gateway, ctx, prefix, sink, reachability);
        watches.add(w);
        try {
            w.start();
        } catch (RuntimeException e) {
            watches.remove(w);
            throw e;
        }
        return () -> {
            watches.remove(w);
            w.close();
        };
    }

    // ---- plumbing ----

    private HttpRequest getRequest(String path) {
        return gateway.request(path, timeout).GET().build();
    }

    private HttpRequest post(String path, JsonNode body) {
        return gateway.request(path, timeout)
                .header("Content-Type", "application/json")
                .POST(GatewayClient.json(body))
                .build();
    }

    private JsonNode ok(HttpResponse<byte[]> r) {
        if (r.statusCode() / 100 != 2) {
            throw gateway.failure(r);
        }
        return gateway.json(r);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Acquisition a : List.copyOf(inFlight)) {
            a.closed();
        }
        inFlight.clear();
        for (ConditionWait w : List.copyOf(waits)) {
            w.closed();
        }
        waits.clear();
        watches.forEach(GatewayWatch::close);
        watches.clear();
        session.close(); // releases every lease and withdraws every wait in the gateway
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "HttpBackend{" + ctx.clientId() + " → " + gateway.shown() + "}";
    }
}
