package dev.baton.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.baton.KeyValueStore;
import dev.baton.Names;
import dev.baton.Versioned;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * {@code /v1/kv}: versioned values as raw bytes, the version as a strong {@code ETag}, writes
 * conditional on {@code If-Match: "N"} (compare-and-set) or {@code If-None-Match: *} (create only);
 * a miss is {@code 412} with the current version, and changes nothing.
 */
final class KvRoutes {
    private final KeyValueStore kv;

    KvRoutes(KeyValueStore kv) {
        this.kv = kv;
    }

    void register(RoutesConfig routes) {
        routes.get("/v1/kv", this::keys);
        routes.get("/v1/kv/<key>", this::get);
        routes.put("/v1/kv/<key>", this::put);
        routes.delete("/v1/kv/<key>", this::delete);
    }

    private void keys(Context ctx) {
        String prefix =
                Names.validatePrefix(
                        ctx.queryParamAsClass("prefix", String.class).getOrDefault(""));
        Routes.caller(ctx).require(Permission.READ, prefix);
        ArrayNode keys = LockJson.MAPPER.createArrayNode();
        kv.keys(prefix).forEach(keys::add);
        Routes.json(ctx, LockJson.MAPPER.createObjectNode().set("keys", keys));
    }

    private void get(Context ctx) {
        String key = key(ctx, Permission.READ);
        Versioned v = kv.get(key).orElseThrow(() -> ApiException.notFound("key", key));
        ctx.header("ETag", etag(v.version()))
                .contentType("application/octet-stream")
                .result(v.value());
    }

    private void put(Context ctx) {
        String key = key(ctx, Permission.WRITE);
        Optional<Long> ifMatch = ifMatch(ctx);
        boolean createOnly = ifNoneMatchAny(ctx);
        if (ifMatch.isPresent() && createOnly) {
            throw ApiException.badRequest(
                    "invalid-header", "send If-Match or If-None-Match: *, not both");
        }
        byte[] value = ctx.bodyAsBytes();
        Versioned written;
        if (ifMatch.isPresent() || createOnly) {
            long expected = ifMatch.orElse(Versioned.ABSENT);
            written =
                    kv.compareAndSet(key, expected, value)
                            .orElseThrow(() -> mismatch(key, expected));
        } else {
            written = kv.put(key, value);
        }
        ctx.header("ETag", etag(written.version()));
        Routes.json(
                ctx,
                LockJson.MAPPER
                        .createObjectNode()
                        .put("key", key)
                        .put("version", written.version()));
    }

    private void delete(Context ctx) {
        String key = key(ctx, Permission.WRITE);
        Optional<Long> ifMatch = ifMatch(ctx);
        if (ifMatch.isPresent()) {
            if (!kv.delete(key, ifMatch.get())) {
                throw mismatch(key, ifMatch.get());
            }
        } else if (!kv.delete(key)) {
            throw ApiException.notFound("key", key);
        }
        ctx.status(204);
    }

    private static String key(Context ctx, Permission p) {
        String key = Names.validate(ctx.pathParam("key"));
        Routes.caller(ctx).require(p, key);
        return key;
    }

    private ApiException mismatch(String key, long expected) {
        long current = kv.get(key).map(Versioned::version).orElse(Versioned.ABSENT);
        return new ApiException(
                412,
                "version-mismatch",
                "key \""
                        + key
                        + "\" is at version "
                        + current
                        + (current == Versioned.ABSENT ? " (absent)" : "")
                        + ", not "
                        + (expected == Versioned.ABSENT ? "absent" : expected));
    }

    static String etag(long version) {
        return "\"" + version + "\"";
    }

    /** {@code If-Match: "7"} (or {@code 7}); one version only. */
    private static Optional<Long> ifMatch(Context ctx) {
        String h = ctx.header("If-Match");
        if (h == null) {
            return Optional.empty();
        }
        String t = h.trim();
        if (t.startsWith("\"") && t.endsWith("\"") && t.length() >= 2) {
            t = t.substring(1, t.length() - 1);
        }
        try {
            long v = Long.parseLong(t);
            if (v >= 1) {
                return Optional.of(v);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.badRequest(
                "invalid-header",
                "If-Match \"" + h + "\" must be one version as an ETag, such as \"7\"");
    }

    private static boolean ifNoneMatchAny(Context ctx) {
        String h = ctx.header("If-None-Match");
        if (h == null) {
            return false;
        }
        if (!h.trim().equals("*")) {
            throw ApiException.badRequest(
                    "invalid-header", "If-None-Match \"" + h + "\" must be * (create only)");
        }
        return true;
    }
}
