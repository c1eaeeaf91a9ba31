package dev.baton.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.time.Duration;

/** What the route classes share: the caller of a request, JSON responses, common bodies. */
final class Routes {
    static final String CALLER = "baton.caller";

    private Routes() {}

    static Caller caller(Context ctx) {
        Caller c = ctx.attribute(CALLER);
        return c == null ? Caller.ANYONE : c;
    }

    static void json(Context ctx, JsonNode body) {
        ctx.contentType("application/json").result(body.toString());
    }

    /** A session as responses show it: id, TTL, and the time left to count from the request. */
    static ObjectNode session(Session s, Duration remaining) {
        return LockJson.MAPPER
                .createObjectNode()
                .put("id", s.id)
                .put("ttl", DurationText.format(s.ttl))
                .put("remainingMs", remaining.toMillis());
    }
}
