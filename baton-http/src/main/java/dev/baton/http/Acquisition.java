package dev.baton.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.BackendUnavailableException;
import dev.baton.ClientClosedException;
import dev.baton.LeaseKind;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.BackendContext;
import dev.baton.spi.GrantSink;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One acquisition as a long poll: {@code POST /v1/locks/acquire} with a request id of its own, sent
 * asynchronously, its answer reported to the core's sink on the HttpClient's executor (the sink
 * only wakes the core). A try-once request asks for {@code "wait":"0s"}; any other asks for the
 * gateway's longest wait ({@link #WAIT}) and, if that passes ({@code 409 busy}), asks again under a
 * new request id: the core alone decides when the caller gives up.
 *
 * <p>Withdrawal ({@link #withdraw}) sends {@code POST /v1/locks/withdraw} for the current request
 * id and waits for its answer (bounded), so the entry is gone from the engine when it returns; a
 * grant that wins the race is released by the gateway itself, and the core releases the grant if it
 * is reported anyway (a release of a gone lease is a no-op). Invariant: after {@link #withdrawn} is
 * set no new request is sent, so at most the one in flight can be granted.
 */
final class Acquisition {
    private static final Logger log = LoggerFactory.getLogger(Acquisition.class);

    /** The wait asked of the gateway per long poll: the gateway's default cap. */
    static final Duration WAIT = Duration.ofSeconds(60);

    private final GatewayClient gateway;
    private final GatewaySession session;
    private final BackendContext ctx;
    private final AcquireRequest request;
    private final GrantSink<HttpGrant> sink;
    private final Duration ttl;
    private final Runnable done;

    // guarded by this
    private String requestId;
    private String sessionId;
    private boolean withdrawn;

    Acquisition(
            GatewayClient gateway,
            GatewaySession session,
            BackendContext ctx,
            AcquireRequest request,
            GrantSink<HttpGrant> sink,
            Duration ttl,
            Runnable done) {
        this.gateway = gateway;
        this.session = session;
        this.ctx = ctx;
        this.request = request;
        this.sink = sink;
        this.ttl = ttl;
        this.done = done;
    }

    /** Sends the next long poll, unless withdrawn. */
    void send() {
        String id = UUID.randomUUID().toString();
        String s;
        try {
            s = session.require();
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        synchronized (this) {
            if (withdrawn) {
                return;
            }
            requestId = id;
            sessionId = s;
        }
        Duration wait = request.tryOnce() ? Duration.ZERO : WAIT;
        ObjectNode body =
                GatewayClient.JSON
                        .createObjectNode()
                        .put("name", request.name())
                        .put("session", s)
                        .put("request", id)
                        .put("kind", request.kind().name().toLowerCase(Locale.ROOT))
                        .put("wait", wait.toMillis() + "ms");
        if (request.kind() == LeaseKind.SEMAPHORE) {
            body.put("permits", request.permits()).put("size", request.limit());
        }
        long sentAt = ctx.ticker().read();
        gateway.sendAsync(
                        gateway.request("/v1/locks/acquire", wait.plus(ttl).plusSeconds(5))
                                .header("Content-Type", "application/json")
                                .POST(GatewayClient.json(body))
                                .build())
                .whenComplete(
                        (r, failure) -> {
                            if (failure != null) {
                                transportFailed(failure);
                            } else {
                                answered(r, s, sentAt);
                            }
                        });
    }

    private void answered(HttpResponse<byte[]> r, String s, long sentAt) {
        int status = r.statusCode();
        String code = GatewayClient.code(r);
        if (status == 200) {
            done.run();
            report(gateway, session, sink, gateway.json(r), s, sentAt, ttl);
            return;
        }
        if (status == 409 && code.equals("busy")) {
            if (request.tryOnce()) {
                done.run();
                sink.denied();
            } else {
                send(); // the gateway's wait passed; the caller's has not
            }
            return;
        }
        if (isWithdrawn()) {
            done.run();
            return; // the core settled it already
        }
        if (status == 404) {
            // session-ended or not-found: the session ended; the keep-alive tells the core
            session.keepAlive();
            fail(
                    new BackendUnavailableException(
                            "gateway "
                                    + gateway.shown()
                                    + ": the session ended while \""
                                    + request.name()
                                    + "\" was requested"));
            return;
        }
        fail(gateway.failure(r));
    }

    /**
     * Reports the grant {@code g} (an acquire's or a monitor wake-up's 200) to {@code sink},
     * counted conservatively. The core counts from {@code from} + ttl. Two bounds hold, so the
     * later one does: the gateway promises {@code remainingMs} from when we sent (for a long poll,
     * a count from long ago), and the session lives until its last answered keep-alive's base + ttl
     * (the lease, fresh in the engine, longer).
     */
    static void report(
            GatewayClient gateway,
            GatewaySession session,
            GrantSink<HttpGrant> sink,
            JsonNode g,
            String sessionId,
            long sentAt,
            Duration ttl) {
        long promised = sentAt + Duration.ofMillis(g.path("remainingMs").asLong()).toNanos();
        long from = Math.max(promised - ttl.toNanos(), session.base());
        long token = g.path("token").asLong();
        sink.granted(
                token,
                from,
                new HttpGrant(g.path("lease").asText(), sessionId, g.path("name").asText(), token));
    }

    private void transportFailed(Throwable failure) {
        ctx.sessionSuspended();
        fail(gateway.unreachable(failure));
        // The request may have reached the gateway: withdraw it there, in the background (the
        // session's expiry withdraws it otherwise).
        String id;
        String s;
        synchronized (this) {
            id = requestId;
            s = sessionId;
        }
        gateway.sendAsync(withdrawRequest(s, id)).exceptionally(e -> null);
    }

    private void fail(Throwable e) {
        done.run();
        sink.failed(e);
    }

    /** For close: the client is closing. */
    void closed() {
        synchronized (this) {
            withdrawn = true;
        }
        sink.failed(new ClientClosedException(ctx.clientId()));
    }

    private synchronized boolean isWithdrawn() {
        return withdrawn;
    }

    private HttpRequest withdrawRequest(String s, String id) {
        return gateway.request("/v1/locks/withdraw", ctx.config().connectTimeout())
                .header("Content-Type", "application/json")
                .POST(
                        GatewayClient.json(
                                GatewayClient.JSON
                                        .createObjectNode()
                                        .put("session", s)
                                        .put("request", id)))
                .build();
    }

    /**
     * The caller gave up: withdraws the current request in the gateway and waits for the answer (on
     * the caller's or a worker's thread; never called on the HttpClient's).
     */
    void withdraw() {
        String id;
        String s;
        synchronized (this) {
            if (withdrawn) {
                return;
            }
            withdrawn = true;
            id = requestId;
            s = sessionId;
        }
        done.run();
        if (id == null) {
            return;
        }
        try {
            HttpResponse<byte[]> r = gateway.send(withdrawRequest(s, id));
            if (r.statusCode() != 200 && r.statusCode() != 404) {
                log.debug("withdrawal of {} answered {}", request.name(), r.statusCode());
            }
        } catch (RuntimeException e) {
            // the session's expiry withdraws it
            log.debug("withdrawal of {} not sent: {}", request.name(), e.toString());
        }
    }
}
