package dev.baton.mem;

import dev.baton.Names;
import dev.baton.WatchEvent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watches of one {@link MemEngine}: which session watches which prefix, and the hand-over of
 * each event (key written or deleted, lock queue changed) to every matching watch in the engine's
 * order.
 *
 * <p><b>Threads and lock.</b> This class has no lock of its own: the caller holds the engine lock
 * for every method, so the watch list is guarded by it. Sinks are called under that lock, so that
 * every subscription sees the engine's order (the one exception to "nothing that can reach a client
 * runs under the lock", see {@link MemEngine}). Sinks never block, never call back into the engine
 * and never run listener code (they append to a bounded queue and hand draining to Baton's own
 * callback pool), so the lock order is always engine lock → subscription monitor, never the
 * reverse. A sink that throws anyway is logged and skipped: it cannot abort the engine operation
 * halfway or deprive other subscriptions of the event.
 *
 * <p><b>Partitions.</b> A watch of a client that is cut off misses the events meanwhile; it is
 * marked, and gets a {@link WatchEvent#resync() RESYNC} once the engine hears the client again.
 */
final class MemWatches {
    private static final Logger log =
            LoggerFactory.getLogger(MemEngine.class); // one log per engine

    private final String engineName;

    /**
     * Whether a client id is cut off; reads the engine's partition state, under the engine lock.
     */
    private final Predicate<String> cutOff;

    private final List<Watch> watches = new ArrayList<>();

    /** One subscription; fields guarded by the engine lock. */
    static final class Watch {
        private MemSession session; // moves to the client's new session on reopen
        private final String prefix;
        private final Consumer<WatchEvent> sink;
        private boolean missed; // events skipped while partitioned: send a RESYNC when heard again

        private Watch(MemSession session, String prefix, Consumer<WatchEvent> sink) {
            this.session = session;
            this.prefix = prefix;
            this.sink = sink;
        }
    }

    MemWatches(String engineName, Predicate<String> cutOff) {
        this.engineName = engineName;
        this.cutOff = cutOff;
    }

    /** Starts a watch of {@code s} on every name under {@code prefix}. Caller holds the lock. */
    Watch add(MemSession s, String prefix, Consumer<WatchEvent> sink) {
        Watch w = new Watch(s, prefix, sink);
        watches.add(w);
        return w;
    }

    /** Ends a watch; a watch already ended is a no-op. Caller holds the engine lock. */
    void remove(Watch w) {
        watches.remove(w);
    }

    /** Ends every watch of {@code s} (the session closed). Caller holds the engine lock. */
    void removeAllOf(MemSession s) {
        watches.removeIf(w -> w.session == s);
    }

    /** The watches of {@code expired} now belong to {@code fresh}. Caller holds the engine lock. */
    void move(MemSession expired, MemSession fresh) {
        for (Watch w : watches) {
            if (w.session == expired) {
                w.session = fresh;
            }
        }
    }

    /**
     * {@code s} was heard: each of its watches that missed events gets a RESYNC. Caller holds the
     * engine lock.
     */
    void resync(MemSession s) {
        for (Watch w : watches) {
            if (w.session == s && w.missed) {
                w.missed = false;
                offer(w, WatchEvent.resync());
            }
        }
    }

    /**
     * Hands an event about {@code eventName} in {@code namespace} to every matching watch, so that
     * each sees the engine's order. Sinks only enqueue. A watch of a cut-off client misses the
     * event and gets a RESYNC later. Caller holds the engine lock.
     */
    void emit(String namespace, String eventName, WatchEvent event) {
        Set<Watch> targets = new LinkedHashSet<>();
        for (Watch w : watches) {
            if (w.session.namespace.equals(namespace) && Names.isUnder(eventName, w.prefix)) {
                targets.add(w);
            }
        }
        for (Watch w : targets) {
            if (cutOff.test(w.session.clientId)) {
                w.missed = true;
            } else {
                offer(w, event);
            }
        }
    }

    /** Drops every watch (the engine was reset). Caller holds the engine lock. */
    void clear() {
        watches.clear();
    }

    /**
     * Calls a sink, under the engine lock. A sink must only enqueue (no listener code runs here);
     * one that throws all the same is logged and skipped, so the engine operation still completes
     * and the other subscriptions still get the event.
     */
    private void offer(Watch w, WatchEvent event) {
        try {
            w.sink.accept(event);
        } catch (RuntimeException e) {
            log.warn(
                    "mem engine {}: watch sink of client {} on \"{}\" threw on {}; skipped",
                    engineName,
                    w.session.clientId,
                    w.prefix,
                    event,
                    e);
        }
    }
}
