package dev.baton.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The Lua scripts, loaded from resources next to this class. Each call is one EVALSHA; only after a
 * server restart (script cache empty: NOSCRIPT) is it sent once more as EVAL, which also caches it
 * again. The lock scripts (acquire, release, wait, and the monitor's await, signal and time_up)
 * share {@code lock_common.lua}, prepended here; acquire and release are preceded by their fast
 * paths ({@code acquire_fast.lua}, {@code release_fast.lua}).
 */
final class RedisScripts {

    /** One script: its body and SHA-1 digest. */
    static final class Script {
        final String name;
        final byte[] body;
        final String sha;

        Script(String name, String body) {
            this.name = name;
            this.body = body.getBytes(StandardCharsets.UTF_8);
            this.sha = sha1(this.body);
        }

        <T> CompletionStage<T> run(
                RedisAsyncCommands<byte[], byte[]> redis,
                ScriptOutputType type,
                byte[][] keys,
                byte[]... args) {
            // One dependent stage: a success passes straight through it (the NOSCRIPT fallback
            // used to cost every call a handle, a completed future and a thenCompose).
            return redis.<T>evalsha(sha, type, keys, args)
                    .toCompletableFuture()
                    .exceptionallyCompose(
                            e -> {
                                Throwable cause =
                                        e instanceof CompletionException && e.getCause() != null
                                                ? e.getCause()
                                                : e;
                                if (cause instanceof RedisNoScriptException) {
                                    return redis.<T>eval(body, type, keys, args)
                                            .toCompletableFuture();
                                }
                                return CompletableFuture.failedFuture(cause);
                            });
        }

        @Override
        public String toString() {
            return name;
        }
    }

    final Script acquire = lock("acquire_fast", "acquire");
    final Script release = lock("release_fast", "release");
    final Script renew = new Script("renew", load("renew"));
    final Script waitCheck = lock("wait");
    final Script monitorAwait = lock("monitor_await");
    final Script monitorSignal = lock("monitor_signal");
    final Script monitorTimeUp = lock("monitor_time_up");
    final Script inspect = new Script("inspect", load("inspect"));
    final Script kvWrite = new Script("kv_write", load("kv_write"));
    final Script kvDelete = new Script("kv_delete", load("kv_delete"));
    final Script watchMark = new Script("watch_mark", load("watch_mark"));

    private static Script lock(String name) {
        return new Script(name, load("lock_common") + "\n" + load(name));
    }

    /**
     * A lock script whose fast path runs before the prelude: a call that takes it creates none of
     * the prelude's closures, which on the common (free, unqueued) path cost more server time than
     * its few {@code redis.call}s.
     */
    private static Script lock(String fast, String name) {
        return new Script(name, load(fast) + "\n" + load("lock_common") + "\n" + load(name));
    }

    private static String load(String name) {
        String resource = name + ".lua";
        try (InputStream in = RedisScripts.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    private static String sha1(byte[] body) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-1").digest(body);
            return java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 unavailable", e);
        }
    }
}
