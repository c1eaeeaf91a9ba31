package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.mem.MemEngine;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway over a real HTTP connection, on the in-memory engine. */
class GatewayTest {
    private String engine;
    private Baton baton;
    private Baton other; // a library client beside the gateway, on the same engine
    private Gateway gateway;
    private Http http;

    @BeforeEach
    void start() {
        engine = "gateway-" + UUID.randomUUID();
        baton = Baton.connect("mem:" + engine);
        other = Baton.connect("mem:" + engine);
        gateway = Gateway.start(GatewayConfig.builder(baton).port(0).build());
        http = new Http(gateway.uri());
    }

    @AfterEach
    void stop() {
        gateway.close();
        other.close();
        baton.close();
        MemEngine.reset(engine);
    }

    @Test
    void sessionsAreCreatedKeptAliveAndDeleted() {
        Http.Response created = http.post("/v1/sessions", "{\"ttl\":\"5s\"}");
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("id").asText();
        assertThat(created.json().get("ttl").asText()).isEqualTo("5s");

        Http.Response kept = http.post("/v1/sessions/" + id + "/keepalive", "");
        assertThat(kept.status()).as("%s", kept).isEqualTo(200);
        assertThat(kept.json().get("remainingMs").asLong()).isBetween(1L, 5000L);

        assertThat(http.delete("/v1/sessions/" + id).status()).isEqualTo(204);
        assertThat(http.post("/v1/sessions/" + id + "/keepalive", "").status()).isEqualTo(404);
        assertThat(http.delete("/v1/sessions/" + id).status()).isEqualTo(404);
    }

    @Test
    void aLockIsGrantedWithATokenRefusedWithItsHolderAndReleasedOnce() {
        String a = http.session("10s");
        String b = http.session("10s");

        Http.Response granted = http.acquire(a, "orders/42", "0s");
        assertThat(granted.status()).as("%s", granted).isEqualTo(200);
        JsonNode g = granted.json();
        assertThat(g.get("name").asText()).isEqualTo("orders/42");
        assertThat(g.get("kind").asText()).isEqualTo("MUTEX");
        long token = g.get("token").asLong();
        String lease = g.get("lease").asText();
        assertThat(g.get("remainingMs").asLong()).isPositive();
        assertThat(g.get("deadline").asText()).isNotBlank();

        Http.Response busy = http.acquire(b, "orders/42", "0s");
        assertThat(busy.status()).as("%s", busy).isEqualTo(409);
        assertThat(busy.json().get("error").asText()).isEqualTo("busy");
        assertThat(busy.json().at("/lock/holders/0/token").asLong()).isEqualTo(token);
        assertThat(busy.json().at("/lock/holders/0/session").asText())
                .as("the holder is named by its session, not only the gateway's client")
                .isEqualTo(a);
        assertThat(other.mutex("orders/42").tryAcquire()).as("held in the engine").isEmpty();

        Http.Response listed = http.get("/v1/locks?prefix=orders");
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.json()).hasSize(1);
        assertThat(listed.json().get(0).at("/holders/0/token").asLong()).isEqualTo(token);
        assertThat(listed.json().get(0).at("/holders/0/session").asText()).isEqualTo(a);
        assertThat(listed.json().get(0).at("/holders/0/owner").asText()).isEmpty();

        Http.Response released = http.post("/v1/locks/release", "{\"lease\":\"" + lease + "\"}");
        assertThat(released.status()).as("%s", released).isEqualTo(200);
        assertThat(http.post("/v1/locks/release", "{\"lease\":\"" + lease + "\"}").status())
                .isEqualTo(404);

        Http.Response next = http.acquire(b, "orders/42", "0s");
        assertThat(next.status()).isEqualTo(200);
        assertThat(
                        http.get("/v1/locks?prefix=orders")
                                .json()
                                .get(0)
                                .at("/holders/0/session")
                                .asText())
                .as("the next holder's session, not a stale entry")
                .isEqualTo(b);
        assertThat(next.json().get("token").asLong()).isGreaterThan(token);
    }

    @Test
    void aWaitingAcquireIsALongPollGrantedOnRelease() throws Exception {
        String a = http.session("10s");
        String b = http.session("10s");
        String lease = http.acquire(a, "jobs/nightly", "0s").json().get("lease").asText();

        CompletableFuture<Http.Response> waiting =
                http.postAsync(
                        "/v1/locks/acquire",
                        "{\"name\":\"jobs/nightly\",\"session\":\"" + b + "\",\"wait\":\"30s\"}");
        await().atMost(Duration.ofSeconds(10))
                .until(
                        () ->
                                baton.inspect("jobs/nightly")
                                        .map(s -> s.waiters() == 1)
                                        .orElse(false));
        assertThat(waiting).isNotDone();

        http.post("/v1/locks/release", "{\"lease\":\"" + lease + "\"}");
        Http.Response granted = waiting.get(10, TimeUnit.SECONDS);
        assertThat(granted.status()).as("%s", granted).isEqualTo(200);
        assertThat(granted.json().get("session").asText()).isEqualTo(b);
    }

    @Test
    void semaphoresAndReadWriteLocksHaveTheirRules() {
        String a = http.session("10s");
        String b = http.session("10s");
        String sem =
                "{\"name\":\"licences\",\"kind\":\"semaphore\",\"size\":3,\"permits\":2,\"session\":\"";
        assertThat(http.post("/v1/locks/acquire", sem + a + "\"}").status()).isEqualTo(200);
        assertThat(http.post("/v1/locks/acquire", sem + b + "\"}").status()).isEqualTo(409);

        String read = "{\"name\":\"catalog\",\"kind\":\"read\",\"session\":\"";
        assertThat(http.post("/v1/locks/acquire", read + a + "\"}").status()).isEqualTo(200);
        assertThat(http.post("/v1/locks/acquire", read + b + "\"}").status()).isEqualTo(200);
        String write = "{\"name\":\"catalog\",\"kind\":\"write\",\"session\":\"";
        assertThat(http.post("/v1/locks/acquire", write + b + "\"}").status()).isEqualTo(409);
    }

    @Test
    void deletingASessionReleasesItsLeases() {
        String a = http.session("10s");
        http.acquire(a, "reports", "0s");
        assertThat(other.mutex("reports").tryAcquire()).isEmpty();

        assertThat(http.delete("/v1/sessions/" + a).status()).isEqualTo(204);

        Optional<FencedLease> after = other.mutex("reports").tryAcquire();
        assertThat(after).as("free at once, not after a TTL").isPresent();
        after.get().release();
    }

    @Test
    void aClientThatStopsKeepingAliveIsToldBeforeAnyoneElseIsGranted() throws Exception {
        String quiet = http.session("3s");
        try (EventStream events = http.events("/v1/sessions/" + quiet + "/events", null)) {
            events.next("hello", 10); // subscribed: the loss must be told on this stream
            JsonNode g = http.acquire(quiet, "settlement", "0s").json();
            String next = http.session("30s");
            CompletableFuture<Http.Response> waiting =
                    http.postAsync(
                            "/v1/locks/acquire",
                            "{\"name\":\"settlement\",\"session\":\""
                                    + next
                                    + "\",\"wait\":\"20s\"}");

            EventStream.Event lost = events.next("lease-lost", 15);
            JsonNode l = Http.JSON.readTree(lost.data());
            assertThat(l.get("lease").asText()).isEqualTo(g.get("lease").asText());
            assertThat(l.get("token").asLong()).isEqualTo(g.get("token").asLong());
            assertThat(l.get("reason").asText()).contains("expired");
            assertThat(events.next("session-ended", 10).data()).contains("expired");

            Http.Response granted = waiting.get(15, TimeUnit.SECONDS);
            assertThat(granted.status()).as("%s", granted).isEqualTo(200);
            assertThat(granted.json().get("token").asLong()).isGreaterThan(g.get("token").asLong());
        }
        assertThat(http.post("/v1/sessions/" + quiet + "/keepalive", "").status()).isEqualTo(404);
    }

    @Test
    void keyValueUsesETagsForCompareAndSet() {
        Http.Response absent = http.get("/v1/kv/config/limit");
        assertThat(absent.status()).isEqualTo(404);

        Http.Response created = putKv("config/limit", "10", "If-None-Match", "*");
        assertThat(created.status()).as("%s", created).isEqualTo(200);
        String etag = created.header("ETag");
        assertThat(etag).matches("\"\\d+\"");
        assertThat(putKv("config/limit", "11", "If-None-Match", "*").status()).isEqualTo(412);

        Http.Response read = http.get("/v1/kv/config/limit");
        assertThat(read.text()).isEqualTo("10");
        assertThat(read.header("ETag")).isEqualTo(etag);

        Http.Response stale = putKv("config/limit", "12", "If-Match", "\"999\"");
        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.json().get("error").asText()).isEqualTo("version-mismatch");
        assertThat(http.get("/v1/kv/config/limit").text()).as("unchanged").isEqualTo("10");

        Http.Response cas = putKv("config/limit", "13", "If-Match", etag);
        assertThat(cas.status()).isEqualTo(200);
        assertThat(cas.header("ETag")).isNotEqualTo(etag);

        assertThat(http.get("/v1/kv?prefix=config").json().get("keys").get(0).asText())
                .isEqualTo("config/limit");
        assertThat(
                        http.send(
                                        http.request("/v1/kv/config/limit")
                                                .header("If-Match", etag)
                                                .DELETE())
                                .status())
                .isEqualTo(412);
        assertThat(http.delete("/v1/kv/config/limit").status()).isEqualTo(204);
        assertThat(http.delete("/v1/kv/config/limit").status()).isEqualTo(404);
    }

    private Http.Response putKv(String key, String value, String header, String headerValue) {
        return http.send(
                http.request("/v1/kv/" + key)
                        .header(header, headerValue)
                        .PUT(HttpRequest.BodyPublishers.ofString(value)));
    }
}
