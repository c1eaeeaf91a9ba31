package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.BatonConfig;
import dev.baton.mem.MemEngine;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document served at {@code /v1/openapi.json} is valid OpenAPI 3.1, lists exactly the
 * server's routes, and every documented (route, status) and stream event is met by a real exchange
 * whose body validates, except the few listed in {@link #UNREACHED}.
 */
class OpenApiTest {
    /** Documented statuses no test request can cause, each with why. */
    static final Set<String> UNREACHED =
            Set.of(
                    // 500 answers only an unexpected failure (a bug in the gateway).
                    "DELETE /v1/kv/{key} 500",
                    "DELETE /v1/sessions/{id} 500",
                    "GET /v1/kv 500",
                    "GET /v1/kv/{key} 500",
                    "GET /v1/locks 500",
                    "GET /v1/openapi.json 500",
                    "GET /v1/sessions/{id}/events 500",
                    "GET /v1/watch 500",
                    "POST /v1/locks/acquire 500",
                    "POST /v1/locks/release 500",
                    "POST /v1/locks/withdraw 500",
                    "POST /v1/sessions 500",
                    "POST /v1/sessions/{id}/keepalive 500",
                    "PUT /v1/kv/{key} 500",
                    "POST /v1/monitors/await 500",
                    "POST /v1/monitors/timeup 500",
                    "POST /v1/monitors/signal 500",
                    // Only while maxMonitorWaits blocking monitor calls (each a short engine
                    // round trip) run at once: no test can hold one open on purpose. The await's
                    // 429 (waits carried) is met.
                    "POST /v1/monitors/timeup 429",
                    "POST /v1/monitors/signal 429",
                    // Only between close() ending the sessions and the server stopping.
                    "POST /v1/sessions 503");

    private static final String EVENT_ID = "^[0-9a-f]{8}-[0-9]+$";

    private final GatewayFixture f = new GatewayFixture();

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void theServedDocumentIsValidOpenApi31() {
        Http.Response r = f.http.get("/v1/openapi.json");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        SwaggerParseResult parsed = ApiConformance.parse(r.text());
        assertThat(parsed.getMessages()).isEmpty();
        assertThat(parsed.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
        assertThat(parsed.getOpenAPI().getInfo().getDescription()).contains("docs/GATEWAY.md");
        // swagger-parser drops such names when it resolves, so the schema check could not see them
        assertThat(requiredWithoutProperty(r.json(), "$")).isEmpty();
        JsonNode broken =
                Http.JSON
                        .createObjectNode()
                        .set(
                                "s",
                                Http.JSON
                                        .createObjectNode()
                                        .<ObjectNode>set(
                                                "required",
                                                Http.JSON.createArrayNode().add("ghost"))
                                        .set("properties", Http.JSON.createObjectNode()));
        assertThat(requiredWithoutProperty(broken, "$")).containsExactly("$.s requires ghost");
    }

    /** Each schema object's required names that its properties do not define. */
    private static List<String> requiredWithoutProperty(JsonNode node, String at) {
        List<String> out = new ArrayList<>();
        if (node.isObject()) {
            JsonNode required = node.get("required");
            JsonNode props = node.get("properties");
            if (required != null && required.isArray() && props != null && props.isObject()) {
                required.forEach(
                        n -> {
                            if (!props.has(n.asText())) {
                                out.add(at + " requires " + n.asText());
                            }
                        });
            }
            node.properties()
                    .forEach(
                            e ->
                                    out.addAll(
                                            requiredWithoutProperty(
                                                    e.getValue(), at + "." + e.getKey())));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                out.addAll(requiredWithoutProperty(node.get(i), at + "[" + i + "]"));
            }
        }
        return out;
    }

    @Test
    void theDocumentListsExactlyTheServersRoutes() {
        Set<String> served = RouteTable.served(f.gateway.app());
        assertThat(served).contains("GET /v1/kv/{key}", "GET /v1/watch").hasSize(17);
        assertThat(RouteTable.differences(RouteTable.documented(served()), served)).isEmpty();
    }

    @Test
    void theRouteComparisonReportsARouteMissingFromEitherSide() {
        OpenAPI doc = served();
        doc.getPaths().remove("/v1/watch");
        doc.getPaths()
                .addPathItem(
                        "/v1/extra",
                        new PathItem().get(new Operation().responses(new ApiResponses())));
        assertThat(
                        RouteTable.differences(
                                RouteTable.documented(doc), RouteTable.served(f.gateway.app())))
                .containsExactly(
                        "served but not documented: GET /v1/watch",
                        "documented but not served: GET /v1/extra");
    }

    @Test
    void theExchangeCheckRefusesWhatTheDocumentDoesNot() {
        ApiConformance api = new ApiConformance(served(), f.gateway.app());
        HttpHeaders json = headers("Content-Type", "application/json");
        byte[] notFound = "{\"error\":\"not-found\",\"message\":\"m\"}".getBytes();
        api.check("DELETE", "/v1/sessions/x", null, 404, json, notFound);
        assertThatThrownBy(() -> api.check("DELETE", "/v1/sessions/x", null, 409, json, notFound))
                .hasMessageContaining("DELETE /v1/sessions/{id} 409 is not documented");
        byte[] busy = "{\"error\":\"busy\",\"message\":\"m\"}".getBytes();
        assertThatThrownBy(() -> api.check("DELETE", "/v1/sessions/x", null, 404, json, busy))
                .as("a code the route's 404 does not list")
                .hasMessageContaining("$.error");
        assertThatThrownBy(
                        () ->
                                api.check(
                                        "GET",
                                        "/v1/kv/k",
                                        null,
                                        200,
                                        headers("Content-Type", "application/octet-stream"),
                                        new byte[1]))
                .hasMessageContaining("ETag");
        assertThatThrownBy(
                        () ->
                                api.check(
                                        "GET",
                                        "/v1/kv",
                                        null,
                                        200,
                                        headers("Content-Type", "text/plain"),
                                        new byte[0]))
                .hasMessageContaining("text/plain");
        assertThatThrownBy(
                        () ->
                                api.check(
                                        "POST",
                                        "/v1/sessions",
                                        "{\"ttl\":5}",
                                        201,
                                        json,
                                        "{\"id\":\"0123456789abcdef0123456789abcdef\",\"ttl\":\"5s\",\"remainingMs\":5}"
                                                .getBytes()))
                .as("a request body its schema refuses, yet accepted")
                .hasMessageContaining("request body");
        assertThatThrownBy(
                        () ->
                                api.checkEvent(
                                        "GET /v1/watch",
                                        new EventStream.Event("put", "a-1", "{\"type\":\"put\"}")))
                .hasMessageContaining("\"key\" is missing");
        assertThatThrownBy(
                        () ->
                                api.checkEvent(
                                        "GET /v1/watch",
                                        new EventStream.Event("lease-lost", "a-1", "{}")))
                .hasMessageContaining("undocumented event");
        assertThat(api.exercisedStatuses()).containsExactly("DELETE /v1/sessions/{id} 404");
    }

    private static HttpHeaders headers(String name, String value) {
        return HttpHeaders.of(Map.of(name, List.of(value)), (a, b) -> true);
    }

    @Test
    void realResponsesMatchTheDocumentAndCoverEveryReachableStatus() throws Exception {
        ApiConformance api = new ApiConformance(served(), f.gateway.app());
        Client open = new Client(api, f.http);

        open.expect(200, "GET", "/v1/openapi.json", null);
        try (EventStream watch = open.stream(200, "/v1/watch", null)) {
            EventStream.Event hello = watch.next(10);
            assertThat(hello.event()).isEqualTo("hello");
            assertThat(hello.id()).matches(EVENT_ID);
            api.checkEvent("GET /v1/watch", hello);
            sessionsAndLocks(open);
            keyValue(open);
            monitors(open);
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 500 && !seen.containsAll(Set.of("put", "delete", "lock")); i++) {
                EventStream.Event e = watch.next(10);
                assertThat(e.id()).matches(EVENT_ID);
                api.checkEvent("GET /v1/watch", e);
                seen.add(e.event());
            }
            assertThat(seen).contains("put", "delete", "lock");
        }
        try (EventStream resumed = open.stream(200, "/v1/watch?prefix=cfg", "0badc0de-3")) {
            EventStream.Event e = resumed.next(10);
            assertThat(e.event()).isEqualTo("resync");
            assertThat(e.id()).matches(EVENT_ID);
            api.checkEvent("GET /v1/watch", e);
        }
        open.expect(400, "GET", "/v1/watch?prefix=a//b", null, "Accept", "text/event-stream");
        sessionEvents(open, api);
        String huge = "x".repeat(2 << 20); // over the 1 MiB limit
        open.expect(413, "POST", "/v1/sessions", huge);
        open.expect(413, "POST", "/v1/locks/acquire", huge);
        open.expect(413, "POST", "/v1/locks/release", huge);
        open.expect(413, "POST", "/v1/locks/withdraw", huge);
        open.expect(413, "PUT", "/v1/kv/big", huge);
        open.expect(413, "POST", "/v1/monitors/await", huge);
        open.expect(413, "POST", "/v1/monitors/timeup", huge);
        open.expect(413, "POST", "/v1/monitors/signal", huge);
        api.check("GET", "/v1/nothing-here", null, f.http.get("/v1/nothing-here"));
        engineUnavailable(open, api);
        try (GatewayFixture limited = new GatewayFixture(b -> b.maxMonitorWaits(1))) {
            Client c = new Client(api, limited.http);
            String s = limited.http.session("60s");
            String a = enter(limited.http, s, "lim/a");
            String b = enter(limited.http, s, "lim/b");
            c.expect(202, "POST", "/v1/monitors/await", MonitorBodies.await(s, a, "c", "w1"));
            c.expect(429, "POST", "/v1/monitors/await", MonitorBodies.await(s, b, "c", "w2"));
        }

        try (GatewayFixture guarded =
                new GatewayFixture(b -> b.auth(AccessRules.parse(GatewayAuthTest.RULES, "test")))) {
            unauthorizedAndForbidden(api, guarded.http);
        }

        Set<String> unexercised = new TreeSet<>(api.documentedStatuses());
        unexercised.removeAll(api.exercisedStatuses());
        assertThat(api.documentedStatuses()).containsAll(UNREACHED);
        assertThat(unexercised)
                .as("documented statuses no exchange met (list only the unreachable)")
                .containsExactlyInAnyOrderElementsOf(UNREACHED);
        assertThat(api.exercisedEvents()).isEqualTo(api.documentedEvents());
    }

    private void sessionsAndLocks(Client c) throws Exception {
        String s1 =
                c.expect(201, "POST", "/v1/sessions", "{\"ttl\":\"60s\"}")
                        .json()
                        .get("id")
                        .asText();
        String s2 = c.expect(201, "POST", "/v1/sessions", "").json().get("id").asText();
        c.expect(400, "POST", "/v1/sessions", "{\"ttl\":\"soon\"}");
        c.expect(200, "POST", "/v1/sessions/" + s1 + "/keepalive", "");
        c.expect(404, "POST", "/v1/sessions/nope/keepalive", "");

        String lease =
                c.expect(200, "POST", "/v1/locks/acquire", acquire("orders/1", s1, ""))
                        .json()
                        .get("lease")
                        .asText();
        JsonNode busy =
                c.expect(409, "POST", "/v1/locks/acquire", acquire("orders/1", s2, "")).json();
        assertThat(busy.at("/lock/holders/0/token").isIntegralNumber()).isTrue();
        c.expect(
                200,
                "POST",
                "/v1/locks/acquire",
                acquire(
                        "pool",
                        s1,
                        ",\"kind\":\"semaphore\",\"size\":3,\"permits\":2,\"wait\":\"250ms\""));
        c.expect(200, "POST", "/v1/locks/acquire", acquire("catalog", s1, ",\"kind\":\"read\""));
        c.expect(
                200,
                "POST",
                "/v1/locks/acquire",
                acquire("catalog/w", s1, ",\"kind\":\"write\",\"wait\":\"PT1S\""));
        assertThat(
                        c.expect(400, "POST", "/v1/locks/acquire", "{\"session\":\"" + s1 + "\"}")
                                .json()
                                .get("error")
                                .asText())
                .isEqualTo("invalid-body");
        assertThat(
                        c.expect(
                                        400,
                                        "POST",
                                        "/v1/locks/acquire",
                                        acquire(
                                                "pool2",
                                                s1,
                                                ",\"kind\":\"semaphore\",\"size\":2,\"permits\":3"))
                                .json()
                                .get("error")
                                .asText())
                .isEqualTo("invalid-argument");
        c.expect(404, "POST", "/v1/locks/acquire", acquire("a", "nope", ""));

        // A waiting acquire whose session ends is answered 404 session-ended.
        String waiting = acquire("orders/1", s2, ",\"wait\":\"30s\"");
        CompletableFuture<Http.Response> pending = f.http.postAsync("/v1/locks/acquire", waiting);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> f.baton.inspect("orders/1").map(l -> l.waiters() == 1).orElse(false));
        c.expect(204, "DELETE", "/v1/sessions/" + s2, null);
        Http.Response ended = pending.get(10, TimeUnit.SECONDS);
        c.api.check("POST", "/v1/locks/acquire", waiting, ended);
        assertThat(ended.status()).isEqualTo(404);
        assertThat(ended.json().get("error").asText()).isEqualTo("session-ended");
        c.expect(404, "DELETE", "/v1/sessions/" + s2, null);

        c.expect(200, "POST", "/v1/locks/release", "{\"lease\":\"" + lease + "\"}");
        c.expect(404, "POST", "/v1/locks/release", "{\"lease\":\"" + lease + "\"}");
        c.expect(400, "POST", "/v1/locks/release", "{}");
        String withdraw = "{\"session\":\"" + s1 + "\",\"request\":\"r1\"}";
        c.expect(200, "POST", "/v1/locks/withdraw", withdraw);
        c.expect(400, "POST", "/v1/locks/withdraw", "{\"session\":\"" + s1 + "\"}");
        c.expect(404, "POST", "/v1/locks/withdraw", withdraw.replace(s1, "nope"));
        assertThat(c.expect(200, "GET", "/v1/locks", null).json()).hasSizeGreaterThanOrEqualTo(2);
        c.expect(200, "GET", "/v1/locks?prefix=pool", null);
        c.expect(400, "GET", "/v1/locks?prefix=a//b", null);
    }

    /** Enters the monitor {@code name} in session {@code s}; the lease id. */
    private static String enter(Http http, String s, String name) {
        return http.post("/v1/locks/acquire", acquire(name, s, ",\"kind\":\"monitor\""))
                .json()
                .get("lease")
                .asText();
    }

    private static String timeUp(String s, String request) {
        return "{\"session\":\"" + s + "\",\"request\":\"" + request + "\"}";
    }

    private static String signal(String lease, String condition) {
        return "{\"lease\":\"" + lease + "\",\"condition\":\"" + condition + "\",\"all\":true}";
    }

    private void monitors(Client c) {
        String s = f.http.session("60s");
        String lease =
                c.expect(
                                200,
                                "POST",
                                "/v1/locks/acquire",
                                acquire("buf", s, ",\"kind\":\"monitor\""))
                        .json()
                        .get("lease")
                        .asText();
        c.expect(202, "POST", "/v1/monitors/await", MonitorBodies.await(s, lease, "ready", "w1"));
        c.expect(200, "POST", "/v1/monitors/timeup", timeUp(s, "w1"));
        String again =
                c.expect(200, "POST", "/v1/monitors/await", MonitorBodies.poll(s, "w1", "10s"))
                        .json()
                        .get("lease")
                        .asText();
        c.expect(404, "POST", "/v1/monitors/await", MonitorBodies.poll(s, "w1", "0s"));
        c.expect(404, "POST", "/v1/monitors/timeup", timeUp(s, "w1"));
        c.expect(200, "POST", "/v1/monitors/signal", signal(again, "ready"));
        String mutex =
                c.expect(200, "POST", "/v1/locks/acquire", acquire("buf-m", s, ""))
                        .json()
                        .get("lease")
                        .asText();
        c.expect(409, "POST", "/v1/monitors/await", MonitorBodies.await(s, mutex, "ready", "w2"));
        c.expect(409, "POST", "/v1/monitors/signal", signal(mutex, "ready"));
        c.expect(400, "POST", "/v1/monitors/await", MonitorBodies.await(s, again, "a/b", "w3"));
        c.expect(400, "POST", "/v1/monitors/await", "{\"session\":\"" + s + "\"}");
        c.expect(400, "POST", "/v1/monitors/timeup", "{}");
        c.expect(400, "POST", "/v1/monitors/signal", signal(again, "a/b"));
        c.expect(404, "POST", "/v1/monitors/signal", signal("nope", "ready"));
        c.expect(
                404,
                "POST",
                "/v1/monitors/await",
                MonitorBodies.await("nope", again, "ready", "w4"));
        c.expect(404, "POST", "/v1/monitors/timeup", timeUp("nope", "w4"));
        c.expect(200, "POST", "/v1/locks/withdraw", timeUp(s, "w5"));
        c.expect(404, "POST", "/v1/monitors/await", MonitorBodies.await(s, again, "ready", "w5"));
    }

    private void keyValue(Client c) {
        c.expect(404, "GET", "/v1/kv/cfg/a", null);
        String etag =
                c.expect(200, "PUT", "/v1/kv/cfg/a", "1", "If-None-Match", "*").header("ETag");
        c.expect(412, "PUT", "/v1/kv/cfg/a", "2", "If-None-Match", "*");
        c.expect(200, "PUT", "/v1/kv/cfg/a", "3", "If-Match", etag);
        // Not UTF-8: the watch's put event says "value": null (the nullable type is exercised).
        c.expect(
                200,
                "PUT",
                "/v1/kv/cfg/b",
                new String(new byte[] {(byte) 0xff}, StandardCharsets.ISO_8859_1));
        c.expect(400, "PUT", "/v1/kv/cfg/a", "4", "If-Match", "\"abc\"");
        c.expect(400, "PUT", "/v1/kv/a//b", "4");
        assertThat(c.expect(200, "GET", "/v1/kv/cfg/a", null).text()).isEqualTo("3");
        c.expect(400, "GET", "/v1/kv/a//b", null);
        assertThat(c.expect(200, "GET", "/v1/kv?prefix=cfg", null).json().get("keys")).hasSize(2);
        c.expect(400, "GET", "/v1/kv?prefix=a//b", null);
        c.expect(412, "DELETE", "/v1/kv/cfg/a", null, "If-Match", "\"999\"");
        c.expect(400, "DELETE", "/v1/kv/cfg/a", null, "If-Match", "x");
        c.expect(204, "DELETE", "/v1/kv/cfg/a", null);
        c.expect(404, "DELETE", "/v1/kv/cfg/a", null);
    }

    /** session-ended on DELETE; lease-lost, then session-ended, when keep-alives stop. */
    private void sessionEvents(Client c, ApiConformance api) throws Exception {
        String route = "GET /v1/sessions/{id}/events";
        c.expect(404, "GET", "/v1/sessions/nope/events", null, "Accept", "text/event-stream");
        String closed = f.http.session("60s");
        try (EventStream s = c.stream(200, "/v1/sessions/" + closed + "/events", null)) {
            EventStream.Event hello = s.next(10);
            assertThat(hello.event()).isEqualTo("hello");
            api.checkEvent(route, hello);
            c.expect(204, "DELETE", "/v1/sessions/" + closed, null);
            EventStream.Event e = s.next("session-ended", 10);
            assertThat(e.id()).isNull();
            assertThat(e.data()).contains("\"closed\"");
            api.checkEvent(route, e);
        }
        // Subscribed (hello) before the lease is taken, so its loss must be told on this stream.
        String quiet = f.http.session("3s");
        try (EventStream s = c.stream(200, "/v1/sessions/" + quiet + "/events", null)) {
            assertThat(s.next(10).event()).isEqualTo("hello");
            assertThat(f.http.acquire(quiet, "expiring", "0s").status()).isEqualTo(200);
            EventStream.Event lost = s.next(15);
            assertThat(lost.event()).isEqualTo("lease-lost");
            assertThat(lost.id()).isNull();
            api.checkEvent(route, lost);
            EventStream.Event ended = s.next(10);
            assertThat(ended.data()).contains("\"expired\"");
            api.checkEvent(route, ended);
        }
    }

    /**
     * The engine unreachable from the gateway's client: 503 wherever the engine is asked, and every
     * watch stream told {@code disconnected}, then {@code reconnected} once it answers again.
     */
    private void engineUnavailable(Client c, ApiConformance api) throws Exception {
        String s = f.http.session("60s");
        c.expect(
                202,
                "POST",
                "/v1/monitors/await",
                MonitorBodies.await(s, enter(f.http, s, "cut/waiting"), "c", "w"));
        MemEngine engine = MemEngine.named(f.engine);
        EventStream watch = c.stream(200, "/v1/watch?prefix=elsewhere", null);
        assertThat(watch.next(10).event()).isEqualTo("hello");
        engine.partition(f.baton.clientId());
        try (watch) {
            c.expect(503, "POST", "/v1/monitors/timeup", timeUp(s, "w"));
            c.expect(503, "POST", "/v1/locks/acquire", acquire("cut-off", s, ""));
            c.expect(503, "GET", "/v1/locks", null);
            c.expect(503, "GET", "/v1/kv", null);
            c.expect(503, "GET", "/v1/kv/cfg/b", null);
            c.expect(503, "PUT", "/v1/kv/cfg/b", "x");
            c.expect(503, "DELETE", "/v1/kv/cfg/b", null);
            EventStream.Event down = watch.next("disconnected", 10);
            api.checkEvent("GET /v1/watch", down);
            engine.heal(f.baton.clientId());
            EventStream.Event up = watch.next("reconnected", 30);
            api.checkEvent("GET /v1/watch", up);
        } finally {
            engine.heal(f.baton.clientId());
        }
        // A wait's first step and a signal need a HELD lease, and any failed engine call puts
        // every lease of the gateway's client in doubt: each is the first call after its own cut,
        // on a gateway whose client renews only every 20 s (TTL 60 s).
        BatonConfig slow = BatonConfig.custom().leaseTtl(Duration.ofSeconds(60)).build();
        for (String route : List.of("/v1/monitors/signal", "/v1/monitors/await")) {
            try (GatewayFixture g = new GatewayFixture(slow, b -> b)) {
                Client cut = new Client(api, g.http);
                String session = g.http.session("60s");
                String lease = enter(g.http, session, "cut/m");
                MemEngine.named(g.engine).partition(g.baton.clientId());
                cut.expect(
                        503,
                        "POST",
                        route,
                        route.endsWith("signal")
                                ? signal(lease, "c")
                                : MonitorBodies.await(session, lease, "c", "w"));
            }
        }
    }

    private static void unauthorizedAndForbidden(ApiConformance api, Http anonymous) {
        Client none = new Client(api, anonymous);
        none.expect(200, "GET", "/v1/openapi.json", null);
        for (String route : RouteTable.documented(api.documentedOpenApi())) {
            if (route.endsWith("/openapi.json")) {
                continue;
            }
            String method = route.substring(0, route.indexOf(' '));
            String path =
                    route.substring(route.indexOf(' ') + 1)
                            .replace("{id}", "nope")
                            .replace("{key}", "k");
            String body = method.equals("POST") ? "{}" : method.equals("PUT") ? "x" : null;
            Http.Response r = none.expect(401, method, path, body);
            assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
        }

        Client billing = new Client(api, anonymous.as(GatewayAuthTest.BILLING));
        String s = billing.expect(201, "POST", "/v1/sessions", "{}").json().get("id").asText();
        billing.expect(403, "POST", "/v1/locks/acquire", acquire("orders/1", s, ""));
        billing.expect(403, "GET", "/v1/locks?prefix=billing/audit", null);
        billing.expect(403, "GET", "/v1/kv?prefix=billing/audit", null);
        billing.expect(403, "GET", "/v1/kv/billing/audit/x", null);
        billing.expect(403, "PUT", "/v1/kv/orders/1", "x");
        billing.expect(403, "DELETE", "/v1/kv/orders/1", null);
        billing.expect(403, "GET", "/v1/watch?prefix=orders", null, "Accept", "text/event-stream");
    }

    private static String acquire(String name, String session, String more) {
        return "{\"name\":\"" + name + "\",\"session\":\"" + session + "\"" + more + "}";
    }

    private OpenAPI served() {
        SwaggerParseResult parsed = ApiConformance.parse(f.http.get("/v1/openapi.json").text());
        assertThat(parsed.getMessages()).isEmpty();
        return parsed.getOpenAPI();
    }

    /** Sends requests and holds each exchange to the document. */
    private record Client(ApiConformance api, Http http) {
        /** Sends; the status must be {@code status}; {@code headers} as name, value pairs. */
        Http.Response expect(
                int status, String method, String target, String body, String... headers) {
            HttpRequest.Builder b = http.request(target);
            for (int i = 0; i < headers.length; i += 2) {
                b.header(headers[i], headers[i + 1]);
            }
            if (body != null && method.equals("POST")) {
                b.header("Content-Type", "application/json");
            }
            b.method(
                    method,
                    body == null
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(
                                    body.getBytes(
                                            method.equals("PUT")
                                                    ? StandardCharsets.ISO_8859_1
                                                    : StandardCharsets.UTF_8)));
            Http.Response r = http.send(b);
            assertThat(r.status()).as("%s %s: %s", method, target, r).isEqualTo(status);
            api.check(method, target, body, r);
            return r;
        }

        /** Opens an event stream; its status and headers are held to the document. */
        EventStream stream(int status, String target, String lastEventId) throws Exception {
            EventStream s = http.events(target, lastEventId);
            HttpResponse<Stream<String>> r = s.response.get(10, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as("%s", target).isEqualTo(status);
            api.check("GET", target, null, r.statusCode(), r.headers(), null);
            return s;
        }
    }
}
