package dev.baton.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.BackendUnavailableException;
import dev.baton.LeaseLoss;
import dev.baton.spi.BackendContext;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's one gateway session: created with TTL = the client's lease TTL and its client id (so
 * listings name its holders by it), kept alive by the core's renewals and, while the client holds
 * nothing (the core then does not renew), by an idle tick every TTL/3 on the core's scheduler.
 *
 * <p>Invariants: {@link #id} is the live session, or null between the gateway saying it ended and a
 * new one being created; it changes only under {@code this}, and the core hears {@code sessionLost}
 * before a new id is published, so no lease of the new session is declared lost by the old one's
 * end. Requests on a session that ended fail; nothing is retried on a new session behind the
 * caller's back.
 */
final class GatewaySession {
    private static final Logger log = LoggerFactory.getLogger(GatewaySession.class);

    private final GatewayClient gateway;
    private final BackendContext ctx;
    private final Duration ttl;
    private final Duration timeout;
    private final Reachability reachability;

    private volatile String id;
    private volatile long lastSent;

    /**
     * The send time of the newest answered keep-alive, moved back by what its {@code remainingMs}
     * fell short of the TTL: the session lives at least until {@code base + ttl} (ticker nanos).
     */
    private volatile long base;

    private boolean creating; // guarded by this
    private boolean closed; // guarded by this
    private final ScheduledFuture<?> idleTick;

    /** One keep-alive's answer: the time left from {@code sentAt}, and the leases still carried. */
    record Answer(String session, long sentAt, long remainingMs, Set<String> leases) {}

    /** Creates the session, waiting (connect time). */
    GatewaySession(
            GatewayClient gateway, BackendContext ctx, Duration ttl, Reachability reachability) {
        this.gateway = gateway;
        this.ctx = ctx;
        this.ttl = ttl;
        this.reachability = reachability;
        this.timeout = ctx.config().connectTimeout();
        long sentAt = ctx.ticker().read();
        HttpResponse<byte[]> r = gateway.send(createRequest());
        this.id = created(r);
        this.lastSent = sentAt;
        this.base = sentAt;
        long tick = ttl.toNanos() / 3;
        this.idleTick =
                ctx.scheduler().scheduleAtFixedRate(this::idle, tick, tick, TimeUnit.NANOSECONDS);
    }

    /** The live session's id, or null while a new one is being created. */
    String id() {
        return id;
    }

    /** The live session's id. */
    String require() {
        String s = id;
        if (s == null) {
            throw new BackendUnavailableException(
                    "the gateway session of " + ctx.clientId() + " ended; a new one is coming");
        }
        return s;
    }

    private java.net.http.HttpRequest createRequest() {
        return gateway.request("/v1/sessions", timeout)
                .header("Content-Type", "application/json")
                .POST(
                        GatewayClient.json(
                                GatewayClient.JSON
                                        .createObjectNode()
                                        .put("ttl", ttl.toMillis() + "ms")
                                        .put("client", ctx.clientId())))
                .build();
    }

    private String created(HttpResponse<byte[]> r) {
        if (r.statusCode() != 201) {
            throw gateway.failure(r);
        }
        return gateway.json(r).path("id").asText();
    }

    /**
     * Keeps the session alive. Completes with the answer; exceptionally when the gateway cannot be
     * reached or the session ended (the core is then told its leases are lost).
     *
     * <p>Every keep-alive is also the client's liveness probe of the gateway, sent at least every
     * TTL/3 and bounded by TTL/4 even while the client only watches: a keep-alive that fails in
     * transport (or that the gateway answers 502/503/504) puts every lease in doubt and makes the
     * connection DISCONNECTED; any other answer, even a 404 for an ended session, shows the gateway
     * reachable again (see {@link Reachability}). So a blackholed gateway is noticed within TTL/3 +
     * TTL/4, well inside the TTL, and its return within TTL/3 of it.
     */
    CompletableFuture<Answer> keepAlive() {
        String s = id;
        if (s == null) { // nothing is sent: this says nothing of the gateway
            recreate();
            return CompletableFuture.failedFuture(
                    new BackendUnavailableException("no gateway session yet"));
        }
        AtomicBoolean answered = new AtomicBoolean(); // the gateway answered, not 502/503/504
        CompletableFuture<Answer> answer = sendKeepAlive(s, answered);
        answer.whenComplete(
                (a, failure) -> {
                    if (answered.get()) {
                        reachability.gateway(true);
                    } else {
                        ctx.sessionSuspended();
                        reachability.gateway(false);
                    }
                });
        return answer;
    }

    private CompletableFuture<Answer> sendKeepAlive(String s, AtomicBoolean answered) {
        long sentAt = ctx.ticker().read();
        lastSent = sentAt;
        return gateway.sendAsync(
                        gateway.request("/v1/sessions/" + s + "/keepalive", ttl.dividedBy(4))
                                .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                                .build())
                .thenApply(
                        r -> {
                            int status = r.statusCode();
                            answered.set(status != 502 && status != 503 && status != 504);
                            if (r.statusCode() == 404) {
                                ended(s, "the gateway ended session " + s);
                            }
                            if (r.statusCode() != 200) {
                                throw gateway.failure(r);
                            }
                            JsonNode a = gateway.json(r);
                            Set<String> leases = new HashSet<>();
                            a.path("leases").forEach(l -> leases.add(l.asText()));
                            long remaining = a.path("remainingMs").asLong();
                            confirmed(
                                    sentAt
                                            + Duration.ofMillis(remaining).toNanos()
                                            - ttl.toNanos());
                            return new Answer(s, sentAt, remaining, leases);
                        });
    }

    /** The session is known to live until {@code base() + ttl}. */
    long base() {
        return base;
    }

    private synchronized void confirmed(long from) {
        if (from - base > 0) {
            base = from;
        }
    }

    /**
     * The gateway said session {@code s} is gone: every lease is lost (told before a new session
     * exists), and a new session is created in the background.
     */
    void ended(String s, String detail) {
        synchronized (this) {
            if (closed || !s.equals(id)) {
                return;
            }
            id = null;
        }
        ctx.sessionLost(LeaseLoss.Reason.SESSION_EXPIRED, detail);
        recreate();
    }

    private void recreate() {
        synchronized (this) {
            if (closed || creating || id != null) {
                return;
            }
            creating = true;
        }
        long sentAt = ctx.ticker().read();
        gateway.sendAsync(createRequest())
                .whenComplete(
                        (r, failure) -> {
                            String fresh = null;
                            try {
                                if (failure == null) {
                                    fresh = created(r);
                                } else {
                                    log.debug("no new gateway session yet: {}", failure.toString());
                                }
                            } catch (RuntimeException e) {
                                log.debug("no new gateway session yet: {}", e.toString());
                            }
                            boolean orphan;
                            synchronized (this) {
                                creating = false;
                                orphan = closed && fresh != null;
                                if (!closed && fresh != null) {
                                    id = fresh;
                                    lastSent = sentAt;
                                    base = sentAt;
                                }
                            }
                            if (fresh != null) {
                                reachability.gateway(true);
                            }
                            if (orphan) {
                                delete(fresh);
                            }
                        });
    }

    /** On the core's scheduler: keeps an idle session alive, or retries creating one. */
    private void idle() {
        if (id == null) {
            recreate();
        } else if (ctx.ticker().read() - lastSent >= ttl.toNanos() / 4) {
            keepAlive()
                    .whenComplete(
                            (a, failure) -> {
                                if (failure != null) {
                                    log.debug("idle keep-alive failed: {}", failure.toString());
                                }
                            });
        }
    }

    /** Ends the session in the gateway (its leases released, its waits withdrawn), briefly. */
    void close() {
        String s;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            s = id;
        }
        idleTick.cancel(false);
        if (s != null) {
            delete(s);
        }
    }

    private void delete(String s) {
        try {
            gateway.send(gateway.request("/v1/sessions/" + s, timeout).DELETE().build());
        } catch (RuntimeException e) {
            log.debug("could not end gateway session {}: {}", s, e.toString());
        }
    }
}
