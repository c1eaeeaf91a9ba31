package dev.baton.redis;

import dev.baton.Names;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watch subscriptions of one client over its namespace's event channel ({@code baton:w:<ns>}), on
 * which every script that changes state publishes the change in the same atomic call: {@code
 * "P\n<version>\n<key>\n<value>"} (kv_write), {@code "D\n<key>"} (kv_delete), and {@code
 * "L\n<name>\n<waiters>\n<holder line>…"} (the lock scripts: the lock's state after the change, in
 * {@link RedisCodec#snapshot}'s holder lines). The channel is subscribed on the pub/sub connection
 * at the first {@link #subscribe} and stays subscribed until the client closes; each subscription
 * only filters by name prefix.
 *
 * <p><b>Announcing a watcher.</b> The lock and key/value scripts publish only while the namespace's
 * watch mark ({@link Keys#watchMark}) exists, so a namespace nobody watches costs no events. A
 * client with subscriptions keeps the mark alive ({@code watch_mark.lua}, TTL {@value
 * #MARK_TTL_MILLIS} ms, refreshed every {@value #MARK_REFRESH_MILLIS} ms on the client's scheduler;
 * it lapses on its own once no client watches). Arrival, in this order: (1) SUBSCRIBE, confirmed by
 * the server; (2) mark, answered; (3) register the subscription and return. Every change the server
 * makes after (2) finds the mark and publishes, on a channel the server already counts us in since
 * (1); so every change after {@code watch} returns reaches the subscription, and the caller's own
 * first read of the state (the resync of a new watcher) comes after (2) too. A change made between
 * (1) and (2) may or may not be published: it precedes the return, and the caller's read sees it.
 *
 * <p><b>A lapsed mark.</b> Each creation of the mark gives it a new random generation. If a refresh
 * (or a later subscribe) finds a generation other than the one this client saw last, the mark
 * lapsed in between (this client stalled past the TTL, or the server lost it) and changes may have
 * gone unpublished: every subscription gets {@link WatchEvent#resync()} after the mark is back, so
 * its re-read sees them. A refresh that fails is retried on the next period; the generation check
 * then still catches a lapse.
 *
 * <p>Threads: {@link #subscribe} runs on callers' threads (the first one blocks until the server
 * confirmed the subscription; {@code subscribed} is guarded by {@code subscribeLock}). Events are
 * decoded and dispatched on the pub/sub connection's I/O thread, in the order published, which is
 * the order the server ran the scripts; sinks only enqueue, so nothing blocks there. {@code subs}
 * is copy-on-write: a subscription opened or closed while an event is dispatched sees it or not.
 * {@code refresher} is guarded by {@code subscribeLock}; {@code generation} by {@code markLock}
 * (marks answer on an I/O thread or a caller's; resyncs only enqueue).
 */
final class RedisWatch {
    private static final Logger log = LoggerFactory.getLogger(RedisWatch.class);

    private record Sub(String prefix, Consumer<WatchEvent> sink) {}

    private final RedisConnection connection;
    private final List<Sub> subs = new CopyOnWriteArrayList<>();
    private final Object subscribeLock = new Object();
    private boolean subscribed; // guarded by subscribeLock
    private ScheduledFuture<?> refresher; // guarded by subscribeLock
    private final Object markLock = new Object();
    private String generation = ""; // guarded by markLock; "" before the first mark

    /** How long the watch mark lives unless refreshed. */
    static final long MARK_TTL_MILLIS = 30_000;

    /** How often a client with subscriptions refreshes it: a third of its life. */
    static final long MARK_REFRESH_MILLIS = MARK_TTL_MILLIS / 3;

    RedisWatch(RedisConnection connection) {
        this.connection = connection;
    }

    AutoCloseable subscribe(String prefix, Consumer<WatchEvent> sink) {
        Sub s = new Sub(prefix, sink);
        synchronized (subscribeLock) {
            if (!subscribed) {
                connection.await(
                        connection.pubsub.async().subscribe(connection.eventChannel),
                        "subscribe to watch events");
                subscribed = true;
            }
            // After the subscription is confirmed, before the caller may read any state.
            marked(
                    connection.await(
                            mark(), "mark namespace \"" + connection.namespace + "\" as watched"));
            subs.add(s);
            if (refresher == null) {
                refresher =
                        connection
                                .ctx
                                .scheduler()
                                .scheduleWithFixedDelay(
                                        this::refreshMark,
                                        MARK_REFRESH_MILLIS,
                                        MARK_REFRESH_MILLIS,
                                        TimeUnit.MILLISECONDS);
            }
        }
        return () -> {
            synchronized (subscribeLock) {
                subs.remove(s);
                if (subs.isEmpty() && refresher != null) {
                    refresher.cancel(false); // the mark lapses unless another client renews it
                    refresher = null;
                }
            }
        };
    }

    /** Sends one {@code watch_mark.lua} with a fresh generation. Never blocks. */
    private CompletionStage<byte[]> mark() {
        byte[] fresh =
                RedisCodec.bytes(
                        HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong())
                                + HexFormat.of()
                                        .toHexDigits(ThreadLocalRandom.current().nextLong()));
        return connection.scripts.watchMark.run(
                connection.redis,
                ScriptOutputType.VALUE,
                new byte[][] {connection.watchMark},
                fresh,
                RedisCodec.decimal(MARK_TTL_MILLIS));
    }

    /**
     * Refreshes the mark: the scheduler thread sends it, the answer is handled on an I/O thread.
     * Package-private for tests, which call it instead of waiting a period.
     */
    void refreshMark() {
        if (connection.closed()) {
            return;
        }
        try {
            mark().whenComplete(
                            (g, e) -> {
                                if (e != null) {
                                    log.debug("watch mark refresh failed: {}", e.toString());
                                } else {
                                    marked(g);
                                }
                            });
        } catch (RejectedExecutionException | IllegalStateException closing) {
            // the connection is closing
        }
    }

    /**
     * After a reconnect: re-marks the namespace at once if this client watches it (a restarted
     * server lost the mark; a new generation then resyncs every subscription), rather than at the
     * next period. Scheduler thread; never blocks.
     */
    void remarkIfWatching() {
        if (!subs.isEmpty()) {
            refreshMark();
        }
    }

    /**
     * The mark's generation as a mark call found it: if it is not the one this client saw last, the
     * mark lapsed in between and every current subscription is told to resync.
     */
    private void marked(byte[] reply) {
        String g = RedisCodec.str(reply);
        boolean lapsed;
        synchronized (markLock) {
            lapsed = !generation.isEmpty() && !generation.equals(g);
            generation = g;
        }
        if (lapsed) {
            log.info("the watch mark of namespace \"{}\" lapsed; resyncing", connection.namespace);
            for (Sub sub : subs) {
                sub.sink().accept(WatchEvent.resync());
            }
        }
    }

    /** Stops refreshing the mark (the client closes). */
    void stop() {
        synchronized (subscribeLock) {
            if (refresher != null) {
                refresher.cancel(false);
                refresher = null;
            }
        }
    }

    /** Whether a pub/sub message came on the event channel (and so is this part's). */
    boolean isEventChannel(byte[] channel) {
        return Arrays.equals(channel, connection.eventChannel);
    }

    /**
     * Decodes one event published by a script and hands it to the matching sinks, in order. The
     * pub/sub connection's I/O thread.
     */
    void dispatch(byte[] message) {
        WatchEvent event;
        try {
            event = decode(message);
        } catch (RuntimeException e) {
            log.warn("ignoring malformed watch event", e);
            return;
        }
        for (Sub s : subs) {
            if (Names.isUnder(event.name(), s.prefix())) {
                try {
                    s.sink().accept(event);
                } catch (RuntimeException e) {
                    log.warn("watch sink on \"{}\" threw; skipped", s.prefix(), e);
                }
            }
        }
    }

    private static WatchEvent decode(byte[] m) {
        char type = (char) m[0];
        int nl1 = indexOf(m, 2);
        switch (type) {
            case 'P' -> {
                long version = Long.parseLong(new String(m, 2, nl1 - 2, StandardCharsets.UTF_8));
                int nl2 = indexOf(m, nl1 + 1);
                String key = new String(m, nl1 + 1, nl2 - nl1 - 1, StandardCharsets.UTF_8);
                byte[] value = Arrays.copyOfRange(m, nl2 + 1, m.length);
                return WatchEvent.put(new Versioned(key, value, version));
            }
            case 'D' -> {
                return WatchEvent.delete(new String(m, 2, m.length - 2, StandardCharsets.UTF_8));
            }
            case 'L' -> {
                String[] lines = new String(m, StandardCharsets.UTF_8).split("\n", -1);
                String name = lines[1];
                int waiting = Integer.parseInt(lines[2]);
                List<String> holders = Arrays.asList(lines).subList(3, lines.length);
                return WatchEvent.lock(name, RedisCodec.snapshot(name, holders, waiting));
            }
            default -> throw new IllegalArgumentException("unknown event type " + type);
        }
    }

    private static int indexOf(byte[] m, int from) {
        for (int i = from; i < m.length; i++) {
            if (m[i] == '\n') {
                return i;
            }
        }
        return m.length;
    }
}
