package dev.baton.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.Baton;
import dev.baton.LockSnapshot;
import dev.baton.Names;
import dev.baton.Subscription;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Watch streams ({@code GET /v1/watch}) with resumption: one library subscription to the whole
 * namespace numbers every event, keeps the last {@code history} of them, and fans each out to the
 * streams whose prefix covers it.
 *
 * <p>Event ids are {@code <epoch>-<n>}: the epoch is new each time the gateway starts, {@code n}
 * counts events. A stream that reconnects with {@code Last-Event-ID} gets every event after that
 * id, then the live ones, with no gap and no repeat, because the replay and the attachment happen
 * under the same lock that appends events. When the id is from another epoch or older than the
 * history, the stream starts with a {@code resync} event (re-read the state, then follow), as it
 * does when the engine itself reports one (after a reconnect it cannot replay).
 *
 * <p>Threads: events arrive on the library's delivery thread, in order, and are handed to the
 * streams there, under this object's lock, so every stream sees them in one order. Streams are
 * {@link QueuedSink}s: handing over never waits for a network write, so a slow client delays nobody
 * else (and is dropped when it falls a whole history behind). A stream whose connection is gone is
 * dropped at its next event.
 *
 * <p>Events without a name (resync, and the gateway's own client's {@code disconnected} and {@code
 * reconnected}) concern every stream, whatever its prefix.
 */
final class WatchHub implements AutoCloseable {
    private final String epoch;
    private final int capacity;
    private final Subscription subscription;
    private final Baton baton;

    // guarded by this
    private final ArrayDeque<Event> history = new ArrayDeque<>();
    private long last; // the number of the newest event
    private final List<Watcher> watchers = new ArrayList<>();
    // the engine's newest state of each held lock name, in this hub's order (for carried())
    private final Map<String, LockSnapshot> held = new HashMap<>();

    private record Event(long n, String type, String name, String json) {}

    private record Watcher(String prefix, EventSink sink) {}

    private final BiFunction<LockSnapshot, Instant, ObjectNode> lockJson;

    WatchHub(Baton baton, int capacity) {
        this(baton, capacity, LockJson::of);
    }

    /** {@code lockJson} renders the state in lock events (the gateway's {@link LockView}). */
    WatchHub(Baton baton, int capacity, BiFunction<LockSnapshot, Instant, ObjectNode> lockJson) {
        this.lockJson = lockJson;
        this.baton = baton;
        byte[] b = new byte[4];
        new SecureRandom().nextBytes(b);
        this.epoch = HexFormat.of().formatHex(b);
        this.capacity = capacity;
        this.subscription = baton.watch("", this::onEvent);
    }

    private synchronized void onEvent(WatchEvent e) {
        if (e.type() == WatchEvent.Type.LOCK) {
            e.lock()
                    .filter(s -> !s.holders().isEmpty())
                    .ifPresentOrElse(s -> held.put(e.name(), s), () -> held.remove(e.name()));
        }
        Event ev = new Event(++last, type(e), e.name(), json(e, lockJson).toString());
        history.addLast(ev);
        if (history.size() > capacity) {
            history.removeFirst();
        }
        // A copy: a failed write closes the stream, and its close callback detaches it.
        List<Watcher> gone = new ArrayList<>();
        for (Watcher w : List.copyOf(watchers)) {
            if (!deliver(w, ev)) {
                gone.add(w);
            }
        }
        watchers.removeAll(gone);
    }

    /**
     * Attaches {@code sink} for names under {@code prefix}, after replaying what followed {@code
     * lastEventId} (or a {@code resync} if that cannot be done); null = from now on.
     */
    synchronized void attach(String prefix, String lastEventId, EventSink sink) {
        Names.validatePrefix(prefix);
        Watcher w = new Watcher(prefix, sink);
        if (lastEventId != null && !lastEventId.isBlank()) {
            long after = resumeFrom(lastEventId.trim());
            if (after < 0) {
                if (!sink.send("resync", id(last), opening("resync"))) {
                    return;
                }
            } else {
                for (Event ev : history) {
                    if (ev.n() > after && !deliver(w, ev)) {
                        return;
                    }
                }
            }
        } else if (!sink.send("hello", id(last), opening("hello"))) {
            return; // gone already
        }
        watchers.add(w);
    }

    /**
     * A session took in a grant of {@code name}: the engine's lock event for it may have gone out
     * before, with the holder not yet named by its session (see {@link LockView}), so streams
     * watching the name get the newest state the engine reported once more, holder named now. No
     * engine call, and no state older than what the streams already saw: if the grant's own event
     * has not arrived yet, it will name the session when it does.
     */
    synchronized void carried(String name) {
        LockSnapshot state = held.get(name);
        if (state != null && watchers.stream().anyMatch(w -> Names.isUnder(name, w.prefix()))) {
            onEvent(WatchEvent.lock(name, state));
        }
    }

    synchronized void detach(EventSink sink) {
        watchers.removeIf(w -> w.sink() == sink);
    }

    /**
     * A stream's first event when nothing is replayed: {@code hello} or {@code resync}, with the
     * gateway's own connection to its engine ({@code "connection"}: CONNECTED or DISCONNECTED), so
     * that a client that missed a {@code disconnected} or {@code reconnected} event learns the
     * state here; the later changes follow on the stream as events of those types.
     */
    private String opening(String type) {
        return LockJson.MAPPER
                .createObjectNode()
                .put("type", type)
                .put("connection", baton.connectionState().name())
                .toString();
    }

    /** The number after which to replay, or -1 if events after {@code id} are not all here. */
    private long resumeFrom(String id) {
        int dash = id.lastIndexOf('-');
        if (dash < 0 || !id.substring(0, dash).equals(epoch)) {
            return -1;
        }
        long n;
        try {
            n = Long.parseLong(id.substring(dash + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
        long oldest = history.isEmpty() ? last + 1 : history.peekFirst().n();
        return n > last || n < oldest - 1 ? -1 : n;
    }

    private boolean deliver(Watcher w, Event ev) {
        if (!ev.name().isEmpty() && !Names.isUnder(ev.name(), w.prefix())) {
            return true;
        }
        return w.sink().send(ev.type(), id(ev.n()), ev.json());
    }

    private String id(long n) {
        return epoch + "-" + n;
    }

    private static String type(WatchEvent e) {
        return e.type().name().toLowerCase(Locale.ROOT);
    }

    /** put: key, version, value (when UTF-8) and base64; delete: key; lock: name and lock. */
    static ObjectNode json(WatchEvent e) {
        return json(e, LockJson::of);
    }

    static ObjectNode json(WatchEvent e, BiFunction<LockSnapshot, Instant, ObjectNode> lockJson) {
        ObjectNode o = LockJson.MAPPER.createObjectNode().put("type", type(e));
        switch (e.type()) {
            case PUT -> {
                Versioned v = e.value().orElseThrow();
                o.put("key", v.key()).put("version", v.version());
                byte[] bytes = v.value();
                try {
                    o.put(
                            "value",
                            StandardCharsets.UTF_8
                                    .newDecoder()
                                    .decode(ByteBuffer.wrap(bytes))
                                    .toString());
                } catch (CharacterCodingException notText) {
                    o.putNull("value");
                }
                o.put("base64", Base64.getEncoder().encodeToString(bytes));
            }
            case DELETE -> o.put("key", e.name());
            case LOCK -> {
                o.put("name", e.name());
                e.lock()
                        .ifPresentOrElse(
                                s -> o.set("lock", lockJson.apply(s, Instant.now())),
                                () -> o.putNull("lock"));
            }
            case RESYNC, DISCONNECTED, RECONNECTED -> {}
        }
        return o;
    }

    @Override
    public void close() {
        subscription.close();
        List<Watcher> open;
        synchronized (this) {
            open = List.copyOf(watchers);
            watchers.clear();
        }
        open.forEach(w -> w.sink().close());
    }
}
