package dev.baton.redis;

import dev.baton.BackendUnavailableException;
import dev.baton.ClientClosedException;
import dev.baton.LeaseKind;
import dev.baton.spi.BackendContext;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the parts of one client's Redis backend share ({@link RedisAcquisitions}, {@link
 * RedisKeyValue}, {@link RedisWatch}, {@link RedisInspection}): the client's context and namespace,
 * the command connection and the pub/sub connection, the scripts, the namespace's event channel,
 * and whether the client is closed. {@link RedisBackend} opens the connections, hands this holder
 * to every part and shuts the connections down; the parts never reach back into the facade.
 *
 * <p>Threads: everything here is fixed at construction except {@code closed}, which only the
 * closing thread sets, once (volatile, never cleared). Lettuce's connections are thread-safe: any
 * thread sends, and replies complete on Lettuce's I/O thread. {@link #await} and {@link #scan}
 * block their caller (a caller's thread, never an I/O thread), each answer bounded by the lease
 * TTL.
 */
final class RedisConnection {
    final BackendContext ctx;
    final String namespace;
    final Duration ttl;
    final RedisAsyncCommands<byte[], byte[]> redis;
    final StatefulRedisPubSubConnection<byte[], byte[]> pubsub;
    final RedisScripts scripts = new RedisScripts();

    /** The channel of the namespace's watch events, which the scripts publish ({@link Keys}). */
    final byte[] eventChannel;

    /** The namespace's watch mark ({@link Keys#watchMark}). */
    final byte[] watchMark;

    /** New names per family in one generation of {@link #lockKeys}'s cache ({@link KeyCache}). */
    static final int KEY_CACHE_SIZE = 4096;

    /** Per family, by name; at most 2 × {@link #KEY_CACHE_SIZE} names each. Any thread. */
    private final Map<LeaseKind, KeyCache<byte[][]>> lockKeys = new EnumMap<>(LeaseKind.class);

    private volatile boolean closed;

    RedisConnection(
            BackendContext ctx,
            String namespace,
            RedisAsyncCommands<byte[], byte[]> redis,
            StatefulRedisPubSubConnection<byte[], byte[]> pubsub) {
        this.ctx = ctx;
        this.namespace = namespace;
        this.ttl = ctx.config().leaseTtl();
        this.redis = redis;
        this.pubsub = pubsub;
        this.eventChannel = RedisCodec.bytes(Keys.eventChannel(namespace));
        this.watchMark = RedisCodec.bytes(Keys.watchMark(namespace));
        for (LeaseKind f : Keys.FAMILIES) {
            lockKeys.put(
                    f,
                    new KeyCache<>(
                            KEY_CACHE_SIZE, name -> Keys.lock(namespace, f, name, watchMark)));
        }
    }

    /**
     * The name's lock keys ({@link Keys#lock}) in {@code family}, built once per name and reused by
     * later requests (they are never written to) while the name is among the last few thousand this
     * client used ({@link KeyCache}). Any thread.
     */
    byte[][] lockKeys(LeaseKind family, String name) {
        return lockKeys.get(family).get(name);
    }

    boolean closed() {
        return closed;
    }

    /** From now on, blocking calls fail and nothing new is sent. Closing thread only. */
    void markClosed() {
        closed = true;
    }

    ClientClosedException closedException() {
        return new ClientClosedException(ctx.clientId());
    }

    /**
     * The answer of one command or script, waiting at most the lease TTL. Callers' threads only.
     *
     * @throws ClientClosedException if the client is closed
     * @throws BackendUnavailableException if the command failed, timed out or was interrupted
     */
    <T> T await(CompletionStage<T> stage, String what) {
        return await(stage, what, true);
    }

    /**
     * As {@link #await}, but an interrupt does not end the wait, for a step whose outcome must be
     * known whatever the caller does next (the monitor's await: whether the monitor was given up
     * and the waiter queued). The interrupt is set again before returning or throwing, so the
     * caller's next wait sees it. Callers' threads only.
     */
    <T> T awaitOutcome(CompletionStage<T> stage, String what) {
        return await(stage, what, false);
    }

    private <T> T await(CompletionStage<T> stage, String what, boolean interruptible) {
        if (closed) {
            throw closedException();
        }
        CompletableFuture<T> f = stage.toCompletableFuture();
        long deadline = System.nanoTime() + ttl.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                    if (interruptible) {
                        throw new BackendUnavailableException("interrupted during " + what, e);
                    }
                }
            }
        } catch (ExecutionException e) {
            throw unavailable(what, e.getCause());
        } catch (TimeoutException e) {
            throw new BackendUnavailableException(
                    what + ": no answer from redis within " + ttl.toMillis() + " ms", e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static BackendUnavailableException unavailable(String what, Throwable cause) {
        if (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return new BackendUnavailableException(what + " failed: " + cause.getMessage(), cause);
    }

    /** Every key matching a SCAN pattern, page by page. Callers' threads only. */
    List<String> scan(String pattern) {
        List<String> keys = new ArrayList<>();
        ScanArgs args = ScanArgs.Builder.matches(pattern).limit(500);
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<byte[]> page = await(redis.scan(cursor, args), "scan");
            for (byte[] k : page.getKeys()) {
                keys.add(RedisCodec.str(k));
            }
            cursor = page;
        } while (!cursor.isFinished());
        return keys;
    }
}
