package dev.baton.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.FencedLease;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A client's session: a TTL, renewed by keep-alives, that carries the leases acquired in it (as
 * Consul's and etcd's do). The gateway's own Baton client holds the leases in the engine and keeps
 * them renewed; the session decides how long the gateway keeps them for the HTTP client.
 *
 * <p>Invariants: all fields but the event sinks are guarded by {@code this}. Once {@link #ended} is
 * set it stays set, no lease is added afterwards, and the leases taken out at that moment are the
 * ones {@link Sessions} tells the client are lost and then releases: the client hears {@code
 * lease-lost} before the engine can grant the name to anyone else.
 */
final class Session {
    final String id;
    final Duration ttl;

    /** The token id that created the session ("" without access rules). */
    final String owner;

    /**
     * The name the client gave itself ({@code "client"} at creation; null if none): listings name a
     * holder of this session by it, as a library client's holder is named by its client id.
     */
    final String client;

    private long deadline; // ticker nanos
    private boolean ended;
    private final Map<String, Held> leases = new LinkedHashMap<>();
    private final List<CompletableFuture<?>> pending = new ArrayList<>();
    private final List<EventSink> sinks = new CopyOnWriteArrayList<>();

    /**
     * Acquires the client named ({@code "request"}), so that it can withdraw one: the waiting
     * future, then the lease it was granted, or {@link #WITHDRAWN} when the withdrawal came first
     * (requests travel on separate connections, so it may even arrive before the acquire).
     */
    private final Map<String, Object> requests = new LinkedHashMap<>();

    private static final Object WITHDRAWN = new Object();
    private static final Object CLAIMED = new Object(); // named, its acquire not started yet

    /** A lease the session carries, by the id the HTTP client names it with. */
    record Held(String id, FencedLease lease, Session session) {}

    Session(String id, Duration ttl, String owner, String client, long now) {
        this.id = id;
        this.ttl = ttl;
        this.owner = owner;
        this.client = client;
        this.deadline = now + ttl.toNanos();
    }

    synchronized boolean isEnded() {
        return ended;
    }

    synchronized long deadline() {
        return deadline;
    }

    /** Moves the deadline to {@code now + ttl}; false if the session has ended. */
    synchronized boolean keepAlive(long now) {
        if (ended) {
            return false;
        }
        deadline = now + ttl.toNanos();
        return true;
    }

    /**
     * How long the client may act as the holder of its leases, measured from when it sent the
     * request that receives this: the session's time left, and no more than any of its leases has
     * left in the engine (the gateway's own conservative deadline).
     */
    synchronized Duration remaining(long now) {
        long left = Math.max(0, deadline - now);
        for (Held h : leases.values()) {
            left = Math.min(left, h.lease().remaining().toNanos());
        }
        return Duration.ofNanos(left);
    }

    /** Adds {@code held}; false (and nothing added) if the session has ended. */
    synchronized boolean add(Held held) {
        if (ended) {
            return false;
        }
        leases.put(held.id(), held);
        return true;
    }

    synchronized Held remove(String leaseId) {
        Held h = leases.remove(leaseId);
        if (h != null) {
            requests.values().removeIf(v -> v == h);
        }
        return h;
    }

    synchronized List<Held> leases() {
        return List.copyOf(leases.values());
    }

    /** Tracks a waiting acquire so that ending the session withdraws it; false if ended. */
    synchronized boolean waiting(CompletableFuture<?> acquire) {
        if (ended) {
            return false;
        }
        pending.add(acquire);
        return true;
    }

    synchronized void doneWaiting(CompletableFuture<?> acquire) {
        pending.remove(acquire);
    }

    /**
     * Reserves a request name before its acquire starts; false if that name was withdrawn already
     * (the tombstone is consumed: the caller answers 404 withdrawn without acquiring).
     *
     * @throws ApiException 400 if the name is in use in this session
     */
    synchronized boolean claim(String request) {
        Object v = requests.get(request);
        if (v == WITHDRAWN) {
            requests.remove(request);
            return false;
        }
        if (v != null) {
            throw ApiException.badRequest(
                    "invalid-body", "\"request\" \"" + request + "\" is in use in this session");
        }
        requests.put(request, CLAIMED);
        return true;
    }

    /**
     * Registers the started acquire of a claimed name; false if it was withdrawn since (the
     * tombstone stays for the acquire's completion to consume; the caller cancels the acquire).
     */
    synchronized boolean request(String request, CompletableFuture<?> acquire) {
        if (requests.get(request) == WITHDRAWN) {
            return false;
        }
        requests.put(request, acquire);
        return true;
    }

    /**
     * The named acquire ended without a grant (also consumes its withdrawal's tombstone, or its
     * claim if it never started: {@code acquire} null).
     */
    synchronized void requestFailed(String request, CompletableFuture<?> acquire) {
        if (acquire == null || !requests.remove(request, acquire)) {
            if (!requests.remove(request, WITHDRAWN)) {
                requests.remove(request, CLAIMED);
            }
        }
    }

    /** The named acquire was granted {@code held}; false if it was withdrawn meanwhile. */
    synchronized boolean requestGranted(String request, Held held) {
        if (requests.get(request) == WITHDRAWN) {
            requests.remove(request);
            return false;
        }
        requests.put(request, held);
        return true;
    }

    /**
     * Withdraws the named acquire: returns its future (to cancel) or its lease (to release), or
     * null if it is unknown, in which case a tombstone refuses it should it arrive later.
     */
    synchronized Object withdraw(String request) {
        Object v = requests.get(request);
        if (v == WITHDRAWN) {
            return null;
        }
        if (v instanceof Held) {
            requests.remove(request);
            return v;
        }
        requests.put(request, WITHDRAWN); // a grant racing with this is released on arrival
        return v;
    }

    /** The ids of the leases the session carries now. */
    synchronized List<String> leaseIds() {
        return List.copyOf(leases.keySet());
    }

    /**
     * Ends the session once: returns the leases it carried and cancels its waiting acquires, or
     * null if it had already ended.
     */
    List<Held> end() {
        List<CompletableFuture<?>> withdrawn;
        List<Held> carried;
        synchronized (this) {
            if (ended) {
                return null;
            }
            ended = true;
            carried = List.copyOf(leases.values());
            leases.clear();
            withdrawn = List.copyOf(pending);
            pending.clear();
            requests.clear();
        }
        withdrawn.forEach(f -> f.cancel(false)); // outside the lock: completes callbacks
        return carried;
    }

    void subscribe(EventSink sink) {
        sinks.add(sink);
    }

    void unsubscribe(EventSink sink) {
        sinks.remove(sink);
    }

    /**
     * Sends to every open stream of this session; the future completes when each stream has the
     * event on the wire or has closed (a stream never delays another, see {@link QueuedSink}).
     */
    CompletableFuture<Void> publish(String event, ObjectNode data) {
        String json = data.toString();
        List<CompletableFuture<Boolean>> written = new ArrayList<>();
        for (EventSink s : sinks) {
            if (s.send(event, null, json)) {
                written.add(s.flushed());
            } else {
                sinks.remove(s);
            }
        }
        return CompletableFuture.allOf(written.toArray(CompletableFuture[]::new));
    }

    void closeStreams() {
        sinks.forEach(EventSink::close);
        sinks.clear();
    }
}
