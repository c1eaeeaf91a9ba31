package dev.baton.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import java.net.SocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells the core whether this client reaches its Redis server, so that {@link
 * dev.baton.Baton#connectionState()} and every watch learn of a dead or cut-off server even when
 * the client holds no lease (Redis has no session whose keep-alives would tell).
 *
 * <p>Two sources, because each sees what the other cannot. Lettuce's connection events report a
 * closed socket at once (a killed server); a {@code PING} every {@code ttl / 6} finds a server that
 * stops answering while the socket stays open (a partition, a paused process): a probe left
 * unanswered for {@code ttl / 3} makes the engine unreachable, so a cut-off client learns it within
 * half a lease TTL. Any answer makes it reachable again; after a reconnect a probe goes out at once
 * rather than at the next tick. The core turns these reports into {@code DISCONNECTED}, then {@code
 * RECONNECTED} and {@code RESYNC}, and leaves leases to their renewals.
 *
 * <p>Threads: ticks run on the client's scheduler thread and only send; Lettuce calls the listener
 * and completes probes on its I/O threads, where the core's reports only enqueue. {@code
 * probeSentAt} (the ticker reading of the probe in flight, or {@link #NONE}) keeps at most one
 * probe outstanding, so a silent server never collects a queue of them; it is set by
 * compare-and-set from none and cleared by the probe's own completion.
 */
final class RedisLiveness implements RedisConnectionStateListener {
    private static final long NONE = Long.MIN_VALUE;

    private final RedisConnection connection;
    private final Runnable afterReconnect;
    private final long periodNanos;
    private final long patienceNanos;
    private final AtomicLong probeSentAt = new AtomicLong(NONE);
    private volatile ScheduledFuture<?> ticks;

    /**
     * @param afterReconnect run on the scheduler thread after each reconnect (the watch re-marks
     *     its namespace at once: a restarted server lost the mark, and events stay unpublished
     *     until it is back); must not block
     */
    RedisLiveness(RedisConnection connection, Runnable afterReconnect) {
        this.connection = connection;
        this.afterReconnect = afterReconnect;
        long ttl = connection.ttl.toNanos();
        this.periodNanos = Math.max(ttl / 6, TimeUnit.MILLISECONDS.toNanos(50));
        this.patienceNanos = ttl / 3;
    }

    void start() {
        ticks =
                connection
                        .ctx
                        .scheduler()
                        .scheduleWithFixedDelay(
                                this::tick, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    /** No more probes or reports. Closing thread. */
    void stop() {
        ScheduledFuture<?> t = ticks;
        if (t != null) {
            t.cancel(false);
        }
    }

    private void tick() {
        if (connection.closed()) {
            return;
        }
        long sent = probeSentAt.get();
        if (sent == NONE) {
            probe();
        } else if (connection.ctx.ticker().read() - sent >= patienceNanos) {
            connection.ctx.engineUnreachable();
        }
    }

    private void probe() {
        long now = connection.ctx.ticker().read();
        if (!probeSentAt.compareAndSet(NONE, now)) {
            return; // one in flight: its answer (or Lettuce's timeout) decides
        }
        connection
                .redis
                .ping()
                .whenComplete(
                        (pong, failure) -> {
                            probeSentAt.compareAndSet(now, NONE);
                            if (connection.closed()) {
                                return;
                            }
                            if (failure == null) {
                                connection.ctx.engineReachable();
                            } else {
                                connection.ctx.engineUnreachable();
                            }
                        });
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
        if (!connection.closed()) {
            connection.ctx.engineUnreachable();
        }
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress remote) {
        if (!connection.closed()) {
            // Confirm with an answer, not the socket alone; sent from the scheduler thread.
            try {
                connection
                        .ctx
                        .scheduler()
                        .execute(
                                () -> {
                                    probe();
                                    afterReconnect.run();
                                });
            } catch (RejectedExecutionException closing) {
                // the client is shutting down: nobody is left to tell
            }
        }
    }
}
