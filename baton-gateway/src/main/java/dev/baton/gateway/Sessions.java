package dev.baton.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.FencedLease;
import dev.baton.LeaseLoss;
import dev.baton.Ticker;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every session and the leases they carry, and the one timer thread that ends sessions whose
 * keep-alives stopped.
 *
 * <p>Ordering (what the gateway promises a client that stops keeping alive): when a session's
 * deadline passes, the timer thread first ends the session (no keep-alive or acquire succeeds
 * after), then queues {@code lease-lost} for each lease on the session's event streams, and only
 * once those are written and flushed (or the bound in {@link #end} passed) is the lease released in
 * the engine, on the releaser. Until that release the engine holds the name for the gateway's
 * client, so nobody else can be granted it before the client was told. A client that is not
 * listening learns the same from its own clock: every keep-alive and acquire answers with the time
 * left, which it counts from when it sent the request.
 *
 * <p>Threads: request threads create, find, keep alive and end sessions; the timer thread ({@code
 * baton-gateway-sessions}) ends expired ones and never waits for a client or the engine; the
 * releaser releases expired sessions' leases; Baton's callback executor reports leases lost in the
 * engine. Whoever removes a lease from its session reports and releases it, once.
 */
final class Sessions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Sessions.class);

    private final Ticker ticker;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(
                    r -> {
                        Thread t = new Thread(r, "baton-gateway-sessions");
                        t.setDaemon(true);
                        return t;
                    });
    private final ConcurrentMap<String, Session> sessions = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Session.Held> leases = new ConcurrentHashMap<>();
    // the same leases by what the engine shows of them, to name a holder's session in listings
    private final ConcurrentMap<Fence, Session.Held> byFence = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private volatile boolean closed;
    private final Executor releaser;

    /** How long a release waits for its lease-lost notice to reach the wire. */
    static final Duration NOTICE_BOUND = Duration.ofSeconds(2);

    /**
     * @param releaser runs the releases that follow {@code lease-lost} notices (never the timer
     *     thread: a release is an engine call)
     */
    Sessions(Ticker ticker, Executor releaser) {
        this.ticker = ticker;
        this.releaser = releaser;
    }

    Session create(Duration ttl, Caller caller) {
        return create(ttl, caller, null);
    }

    /** {@code client}: the name listings give the session's holders (null: none). */
    Session create(Duration ttl, Caller caller, String client) {
        if (closed) {
            throw new ApiException(503, "engine-unavailable", "the gateway is stopping");
        }
        Session s = new Session(newId(), ttl, caller.id(), client, ticker.read());
        sessions.put(s.id, s);
        scheduleExpiry(s, ttl.toNanos());
        return s;
    }

    /** The caller's session, or 404 (also for someone else's: ids are not probed). */
    Session find(String id, Caller caller) {
        Session s = sessions.get(id);
        if (s == null || !caller.owns(s)) {
            throw ApiException.notFound("session", id);
        }
        return s;
    }

    /** Renews {@code s}; the time left (see {@link Session#remaining}). */
    Duration keepAlive(Session s) {
        long now = ticker.read();
        if (!s.keepAlive(now)) {
            throw ApiException.notFound("session", s.id);
        }
        return s.remaining(now);
    }

    Duration remaining(Session s) {
        return s.remaining(ticker.read());
    }

    /**
     * Puts {@code lease} in {@code s}; if the session ended meanwhile the lease is released at once
     * and the caller gets 404.
     */
    Session.Held carry(Session s, FencedLease lease) {
        Session.Held held = new Session.Held(newId(), lease, s);
        leases.put(held.id(), held);
        byFence.put(Fence.of(lease), held);
        if (!s.add(held)) {
            forget(held);
            lease.release();
            throw ApiException.notFound("session", s.id);
        }
        lease.lost().thenAccept(loss -> lostInEngine(held, loss));
        return held;
    }

    /** The caller's lease, or 404. */
    Session.Held lease(String id, Caller caller) {
        Session.Held h = leases.get(id);
        if (h == null || !caller.owns(h.session())) {
            throw ApiException.notFound("lease", id);
        }
        return h;
    }

    /** The session's lease that the engine shows as {@code name} held with {@code token}. */
    Optional<Session.Held> holding(String name, long token) {
        return Optional.ofNullable(byFence.get(new Fence(name, token)));
    }

    /** Releases {@code h} if its session still carries it; false if it was already gone. */
    boolean release(Session.Held h) {
        if (h.session().remove(h.id()) == null) {
            return false;
        }
        forget(h);
        return h.lease().release();
    }

    /**
     * The engine took {@code h} back as the first step of a monitor wait: the session stops
     * carrying it, with nothing to release. False if it was gone already.
     */
    boolean handedOver(Session.Held h) {
        if (h.session().remove(h.id()) == null) {
            return false;
        }
        forget(h);
        return true;
    }

    /** Ends {@code s} at the client's request: its leases are released, its streams closed. */
    void close(Session s) {
        end(s, "closed", false);
    }

    private void lostInEngine(Session.Held h, LeaseLoss loss) {
        if (h.session().remove(h.id()) == null) {
            return; // released or reported already
        }
        forget(h);
        h.session().publish("lease-lost", lost(h, "engine: " + loss.reason()));
    }

    private void scheduleExpiry(Session s, long delayNanos) {
        timer.schedule(() -> checkExpiry(s), delayNanos, TimeUnit.NANOSECONDS);
    }

    /** On the timer thread: ends {@code s} if its deadline passed, else looks again then. */
    private void checkExpiry(Session s) {
        if (s.isEnded()) {
            return;
        }
        long left = s.deadline() - ticker.read();
        if (left > 0) {
            scheduleExpiry(s, left);
            return;
        }
        end(s, "expired", true);
    }

    /**
     * Ends {@code s} once. If {@code lost}, the client is told of each lease before it is released
     * (see the class comment): the release waits until every stream of the session has the notices
     * on the wire, or closed, or {@link #NOTICE_BOUND} passed (a client that does not read cannot
     * be told; its own clock, from {@code remainingMs}, has run out by then anyway). Otherwise the
     * leases are released at once, in this thread.
     */
    private void end(Session s, String why, boolean lost) {
        List<Session.Held> carried = s.end();
        if (carried == null) {
            return;
        }
        sessions.remove(s.id);
        List<CompletableFuture<Void>> told = new ArrayList<>();
        for (Session.Held h : carried) {
            forget(h);
            if (lost) {
                told.add(s.publish("lease-lost", lost(h, "session " + why)));
            }
        }
        s.publish(
                "session-ended",
                LockJson.MAPPER.createObjectNode().put("session", s.id).put("reason", why));
        s.closeStreams();
        if (!lost) {
            releaseAll(carried);
            return;
        }
        CompletableFuture.allOf(told.toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, NOTICE_BOUND.toMillis(), TimeUnit.MILLISECONDS)
                .whenCompleteAsync((ok, e) -> releaseAll(carried), releaser);
        log.info("session {} expired; releasing {} lease(s)", s.id, carried.size());
    }

    private static void releaseAll(List<Session.Held> carried) {
        for (Session.Held h : carried) {
            try {
                h.lease().release();
            } catch (RuntimeException e) { // the engine will free it when the grant expires
                log.warn("could not release {}: {}", h.lease().name(), e.toString());
            }
        }
    }

    private void forget(Session.Held h) {
        leases.remove(h.id());
        byFence.remove(Fence.of(h.lease()), h);
    }

    private record Fence(String name, long token) {
        static Fence of(FencedLease lease) {
            return new Fence(lease.name(), lease.fencingToken());
        }
    }

    private static ObjectNode lost(Session.Held h, String reason) {
        return LockJson.MAPPER
                .createObjectNode()
                .put("lease", h.id())
                .put("name", h.lease().name())
                .put("token", h.lease().fencingToken())
                .put("reason", reason);
    }

    private String newId() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Ends every session, releasing its leases (graceful shutdown). */
    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        for (Session s : List.copyOf(sessions.values())) {
            end(s, "gateway stopped", false);
        }
    }
}
