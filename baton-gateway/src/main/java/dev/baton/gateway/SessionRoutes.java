package dev.baton.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.time.Duration;
import java.util.Set;
import java.util.function.Function;

/** {@code /v1/sessions}: create, keep alive, end, and the session's event stream. */
final class SessionRoutes {
    private final Sessions sessions;

    private final Function<SseClient, EventSink> streams;

    SessionRoutes(Sessions sessions, Function<SseClient, EventSink> streams) {
        this.sessions = sessions;
        this.streams = streams;
    }

    void register(RoutesConfig routes) {
        routes.post("/v1/sessions", this::create);
        routes.post("/v1/sessions/{id}/keepalive", this::keepAlive);
        routes.delete("/v1/sessions/{id}", this::delete);
        routes.get("/v1/sessions/{id}/events", this::events);
    }

    /** Checked before the stream opens, so a bad id is a plain 404, not an empty stream. */
    private void events(Context ctx) throws Exception {
        Session s = sessions.find(ctx.pathParam("id"), Routes.caller(ctx));
        new SseHandler(
                        client -> {
                            EventSink sink = streams.apply(client);
                            client.onClose(() -> s.unsubscribe(sink));
                            s.subscribe(sink);
                            client.keepAlive();
                            // Subscribed: from here on the client hears every notice, and it
                            // may wait for this event before it acquires.
                            sink.send("hello", null, "{\"session\":\"" + s.id + "\"}");
                            if (s.isEnded()) { // ended before the subscription: say so now
                                sink.send(
                                        "session-ended",
                                        null,
                                        "{\"session\":\"" + s.id + "\",\"reason\":\"ended\"}");
                                sink.close();
                            }
                        })
                .handle(ctx);
    }

    private void create(Context ctx) {
        Body b = Body.parse(ctx.body(), Set.of("ttl", "client"));
        Duration ttl =
                b.duration("ttl", GatewayConfig.MIN_TTL, GatewayConfig.MAX_TTL)
                        .orElse(Duration.ofSeconds(10));
        String client = b.string("client").map(SessionRoutes::clientName).orElse(null);
        Session s = sessions.create(ttl, Routes.caller(ctx), client);
        ctx.status(201);
        Routes.json(ctx, Routes.session(s, ttl));
    }

    /**
     * The answer lists the leases the session still carries, read after the renewal: a lease the
     * client holds that is not listed is gone (released, or lost in the engine).
     */
    private void keepAlive(Context ctx) {
        Session s = sessions.find(ctx.pathParam("id"), Routes.caller(ctx));
        ObjectNode answer = Routes.session(s, sessions.keepAlive(s));
        ArrayNode leases = answer.putArray("leases");
        s.leaseIds().forEach(leases::add);
        Routes.json(ctx, answer);
    }

    /** A client's name for itself (a Baton client id): 1 to 200 characters, no control ones. */
    private static String clientName(String name) {
        if (name.isEmpty()
                || name.length() > 200
                || name.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest(
                    "invalid-body",
                    "\"client\" must be 1 to 200 characters, none of them a control character");
        }
        return name;
    }

    private void delete(Context ctx) {
        Session s = sessions.find(ctx.pathParam("id"), Routes.caller(ctx));
        sessions.close(s);
        ctx.status(204);
    }
}
