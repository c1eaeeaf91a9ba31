package dev.baton.redis;

import dev.baton.Names;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * <p>Threads: {@link #subscribe} runs on callers' threads (the first one blocks until the server
 * confirmed the subscription; {@code subscribed} is guarded by {@code subscribeLock}). Events are
 * decoded and dispatched on the pub/sub connection's I/O thread, in the order published, which is
 * the order the server ran the scripts; sinks only enqueue, so nothing blocks there. {@code subs}
 * is copy-on-write: a subscription opened or closed while an event is dispatched sees it or not.
 */
final class RedisWatch {
    private static final Logger log = LoggerFactory.getLogger(RedisWatch.class);

    private record Sub(String prefix, Consumer<WatchEvent> sink) {}

    private final RedisConnection connection;
    private final List<Sub> subs = new CopyOnWriteArrayList<>();
    private final Object subscribeLock = new Object();
    private boolean subscribed; // guarded by subscribeLock

    RedisWatch(RedisConnection connection) {
        this.connection = connection;
    }

    AutoCloseable subscribe(String prefix, Consumer<WatchEvent> sink) {
        synchronized (subscribeLock) {
            if (!subscribed) {
                connection.await(
                        connection.pubsub.async().subscribe(connection.eventChannel),
                        "subscribe to watch events");
                subscribed = true;
            }
        }
        Sub s = new Sub(prefix, sink);
        subs.add(s);
        return () -> subs.remove(s);
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
