package dev.baton.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.BackendUnavailableException;
import dev.baton.ClientClosedException;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.BackendContext;
import dev.baton.spi.GrantSink;
import dev.baton.spi.NotHolderException;
import dev.baton.spi.PendingAwait;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One monitor wait through the gateway: {@code POST /v1/monitors/await} with the holder's lease
 * (the gateway's atomic first step; it answers 202 once the waiter is queued), then the same route
 * as a long poll under the wait's own request id until the gateway answers 200 with the re-entry
 * grant, which goes to the core's sink. {@link #timeUp} is {@code POST /v1/monitors/timeup}; {@link
 * #withdraw} is {@code POST /v1/locks/withdraw}, as for an acquisition.
 *
 * <p>Threads: {@link #start}, {@link #timeUp} and {@link #withdraw} run on the core's calling
 * thread (a caller's or a worker's), waiting at most the connect timeout; polls are sent
 * asynchronously and answered on the HttpClient's executor, where the sink only wakes the core. A
 * poll that fails in transport is sent again after {@link #RETRY} on the core's scheduler (the
 * waiter lives in the gateway as long as the session does; if the session ended, the next poll says
 * so).
 *
 * <p>Invariant: once {@link #withdrawn} is set (under {@code this}) no poll is sent, and the sink
 * is completed at most once, by whoever settles first ({@link #finished} guards it).
 */
final class ConditionWait implements PendingAwait {
    private static final Logger log = LoggerFactory.getLogger(ConditionWait.class);
    static final Duration RETRY = Duration.ofSeconds(1);

    private final GatewayClient gateway;
    private final GatewaySession session;
    private final BackendContext ctx;
    private final AcquireRequest reentry;
    private final GrantSink<HttpGrant> sink;
    private final Duration ttl;
    private final Runnable done;
    private final String request = UUID.randomUUID().toString();
    private final String sessionId;

    private boolean withdrawn; // guarded by this
    private boolean finished; // guarded by this: the sink was told

    ConditionWait(
            GatewayClient gateway,
            GatewaySession session,
            BackendContext ctx,
            String sessionId,
            AcquireRequest reentry,
            GrantSink<HttpGrant> sink,
            Duration ttl,
            Runnable done) {
        this.gateway = gateway;
        this.session = session;
        this.ctx = ctx;
        this.sessionId = sessionId;
        this.reentry = reentry;
        this.sink = sink;
        this.ttl = ttl;
        this.done = done;
    }

    /**
     * The atomic first step: the gateway gives {@code holder} up and queues the waiter, or refuses.
     *
     * @throws NotHolderException if the gateway does not have {@code holder} as the monitor's
     *     holder (409 not-holder; 404: it no longer carries the lease)
     */
    void start(HttpGrant holder, String condition) {
        ObjectNode body =
                GatewayClient.JSON
                        .createObjectNode()
                        .put("session", sessionId)
                        .put("lease", holder.lease())
                        .put("condition", condition)
                        .put("request", request)
                        .put("wait", "0ms");
        long sentAt = ctx.ticker().read();
        HttpResponse<byte[]> r;
        try {
            // Not abandoned on an interrupt: the core must know whether the waiter is queued; it
            // sees the interrupt next and withdraws.
            r =
                    gateway.sendUninterruptibly(
                            post("/v1/monitors/await", body, ctx.config().connectTimeout()));
        } catch (RuntimeException e) {
            // The step may have happened: withdraw in the background (else the session's end does).
            gateway.sendAsync(withdrawRequest()).exceptionally(x -> null);
            throw e;
        }
        switch (r.statusCode()) {
            case 202 -> poll();
            case 200 -> granted(r, sentAt);
            case 409, 404 ->
                    throw new NotHolderException(
                            "gateway "
                                    + gateway.shown()
                                    + " answered "
                                    + r.statusCode()
                                    + " "
                                    + GatewayClient.code(r)
                                    + " to a wait on \""
                                    + condition
                                    + "\" of \""
                                    + holder.name()
                                    + "\"");
            default -> throw gateway.failure(r);
        }
    }

    /** The next long poll for the wake-up, unless withdrawn. */
    private void poll() {
        synchronized (this) {
            if (withdrawn || finished) {
                return;
            }
        }
        ObjectNode body =
                GatewayClient.JSON
                        .createObjectNode()
                        .put("session", sessionId)
                        .put("request", request)
                        .put("wait", Acquisition.WAIT.toMillis() + "ms");
        long sentAt = ctx.ticker().read();
        gateway.sendAsync(
                        post("/v1/monitors/await", body, Acquisition.WAIT.plus(ttl).plusSeconds(5)))
                .whenComplete(
                        (r, failure) -> {
                            if (failure != null) {
                                retry(failure);
                            } else {
                                answered(r, sentAt);
                            }
                        });
    }

    private void answered(HttpResponse<byte[]> r, long sentAt) {
        switch (r.statusCode()) {
            case 200 -> granted(r, sentAt);
            case 202 -> poll(); // the gateway's wait passed; the waiter still waits
            default -> {
                if (isWithdrawn()) {
                    finish();
                    return;
                }
                if (r.statusCode() == 404) {
                    session.keepAlive(); // if the session ended, this tells the core
                    fail(
                            new BackendUnavailableException(
                                    "gateway "
                                            + gateway.shown()
                                            + ": the wait on \""
                                            + reentry.name()
                                            + "\" ended with the session"));
                } else {
                    fail(gateway.failure(r));
                }
            }
        }
    }

    private void granted(HttpResponse<byte[]> r, long sentAt) {
        if (!finish()) {
            return;
        }
        Acquisition.report(gateway, session, sink, gateway.json(r), sessionId, sentAt, ttl);
    }

    private void retry(Throwable failure) {
        log.debug("poll for the wait on {} failed: {}", reentry.name(), failure.toString());
        try {
            ctx.scheduler().schedule(this::poll, RETRY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException closing) {
            fail(gateway.unreachable(failure)); // the client is closing
        }
    }

    /** True for the one caller that may now tell the sink. */
    private boolean finish() {
        synchronized (this) {
            if (finished) {
                return false;
            }
            finished = true;
        }
        done.run();
        return true;
    }

    private void fail(Throwable e) {
        if (finish()) {
            sink.failed(e);
        }
    }

    /** For close: the client is closing. */
    void closed() {
        synchronized (this) {
            withdrawn = true;
        }
        fail(new ClientClosedException(ctx.clientId()));
    }

    private synchronized boolean isWithdrawn() {
        return withdrawn;
    }

    @Override
    public boolean timeUp() {
        ObjectNode body =
                GatewayClient.JSON
                        .createObjectNode()
                        .put("session", sessionId)
                        .put("request", request);
        HttpResponse<byte[]> r =
                gateway.sendUninterruptibly(
                        post("/v1/monitors/timeup", body, ctx.config().connectTimeout()));
        if (r.statusCode() == 404) {
            return false; // answered (or ended) already: no time-up moved it
        }
        if (r.statusCode() != 200) {
            throw gateway.failure(r);
        }
        return gateway.json(r).path("moved").asBoolean();
    }

    /**
     * The caller gave up: the gateway withdraws the waiter from whichever queue holds it, or
     * releases a wake-up that won the race; waits for the answer (on the caller's or a worker's
     * thread).
     */
    @Override
    public void withdraw() {
        synchronized (this) {
            if (withdrawn) {
                return;
            }
            withdrawn = true;
        }
        try {
            HttpResponse<byte[]> r = gateway.send(withdrawRequest());
            if (r.statusCode() != 200 && r.statusCode() != 404) {
                log.debug(
                        "withdrawal of the wait on {} answered {}", reentry.name(), r.statusCode());
            }
        } catch (RuntimeException e) {
            // the session's end withdraws it
            log.debug("withdrawal of the wait on {} not sent: {}", reentry.name(), e.toString());
        }
        finish();
    }

    private HttpRequest withdrawRequest() {
        return post(
                "/v1/locks/withdraw",
                GatewayClient.JSON
                        .createObjectNode()
                        .put("session", sessionId)
                        .put("request", request),
                ctx.config().connectTimeout());
    }

    private HttpRequest post(String path, ObjectNode body, Duration timeout) {
        return gateway.request(path, timeout)
                .header("Content-Type", "application/json")
                .POST(GatewayClient.json(body))
                .build();
    }
}
