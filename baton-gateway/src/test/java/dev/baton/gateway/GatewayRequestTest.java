package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.FencedLease;
import dev.baton.LeaseKind;
import dev.baton.mem.MemEngine;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a client library needs beyond curl: named sessions, named acquires it can withdraw, a
 * keep-alive that lists the leases still carried, and leadership leases.
 */
class GatewayRequestTest {
    private final GatewayFixture f = new GatewayFixture();

    @AfterEach
    void stop() {
        f.close();
    }

    private String session(String client) {
        return f.http.post("/v1/sessions", "{\"ttl\":\"10s\",\"client\":\"" + client + "\"}")
                .json()
                .get("id")
                .asText();
    }

    private CompletableFuture<Http.Response> acquire(String s, String name, String request) {
        return CompletableFuture.supplyAsync(
                () ->
                        f.http.post(
                                "/v1/locks/acquire",
                                "{\"name\":\""
                                        + name
                                        + "\",\"session\":\""
                                        + s
                                        + "\",\"wait\":\"30s\",\"request\":\""
                                        + request
                                        + "\"}"));
    }

    @Test
    void holdersAreNamedByTheirSessionsClientAndKeepAliveListsTheLeases() {
        String s = session("app#1");
        JsonNode g = f.http.acquire(s, "jobs/a", "0s").json();
        JsonNode lock = f.http.get("/v1/locks?prefix=jobs/a").json().get(0);
        assertThat(lock.at("/holders/0/client").asText()).isEqualTo("app#1");
        JsonNode kept = f.http.post("/v1/sessions/" + s + "/keepalive", "").json();
        assertThat(kept.get("leases"))
                .extracting(JsonNode::asText)
                .containsExactly(g.get("lease").asText());
        f.http.post("/v1/locks/release", "{\"lease\":\"" + g.get("lease").asText() + "\"}");
        assertThat(f.http.post("/v1/sessions/" + s + "/keepalive", "").json().get("leases"))
                .isEmpty();
        String bad = "{\"ttl\":\"10s\",\"client\":\"a\\u0001b\"}";
        assertThat(f.http.post("/v1/sessions", bad).status()).isEqualTo(400);
    }

    @Test
    void aWaitingAcquireIsWithdrawnFromTheEngine() throws Exception {
        FencedLease held = f.other.mutex("jobs/w").acquire(Duration.ofSeconds(5));
        String s = session("app#2");
        CompletableFuture<Http.Response> waiting = acquire(s, "jobs/w", "r1");
        await().atMost(Duration.ofSeconds(10))
                .until(
                        () ->
                                MemEngine.named(f.engine).entries(LeaseKind.MUTEX, "jobs/w").size()
                                        == 2);

        JsonNode w =
                f.http.post("/v1/locks/withdraw", "{\"session\":\"" + s + "\",\"request\":\"r1\"}")
                        .json();
        assertThat(w.get("withdrawn").asBoolean()).isTrue();
        assertThat(waiting.get(10, TimeUnit.SECONDS).status()).isEqualTo(404);
        // The library withdraws the entry once the cancelled future has completed, on a worker
        // (withdrawing may wait on the engine: LockImpl.acquireAsync), so it may still be there
        // for a moment after both answers; it must go.
        await().atMost(Duration.ofSeconds(10))
                .until(
                        () ->
                                MemEngine.named(f.engine).entries(LeaseKind.MUTEX, "jobs/w").size()
                                        == 1);
        held.release();
        assertThat(f.other.mutex("jobs/w").tryAcquire()).isPresent();
    }

    @Test
    void aWithdrawalThatArrivesFirstRefusesTheAcquire() throws Exception {
        String s = session("app#3");
        JsonNode w =
                f.http.post("/v1/locks/withdraw", "{\"session\":\"" + s + "\",\"request\":\"r2\"}")
                        .json();
        assertThat(w.get("withdrawn").asBoolean()).isFalse();
        assertThat(acquire(s, "jobs/x", "r2").get(10, TimeUnit.SECONDS).status()).isEqualTo(404);
        // Refused on arrival: the acquire the gateway had started is cancelled, and the library
        // withdraws it, or releases a grant that raced the cancel, off the request's thread.
        await().atMost(Duration.ofSeconds(10)).until(() -> f.other.inspect("jobs/x").isEmpty());
        // a granted one is released by its withdrawal
        assertThat(acquire(s, "jobs/x", "r3").get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        f.http.post("/v1/locks/withdraw", "{\"session\":\"" + s + "\",\"request\":\"r3\"}");
        assertThat(f.other.inspect("jobs/x")).isEmpty();
    }

    @Test
    void leadershipIsAnElectionsLeaseAndPassesOnRelease() throws Exception {
        String a = session("a");
        String b = session("b");
        String body =
                "{\"name\":\"jobs/lead\",\"kind\":\"leadership\",\"wait\":\"30s\",\"session\":\"";
        JsonNode first = f.http.post("/v1/locks/acquire", body + a + "\"}").json();
        assertThat(first.get("kind").asText()).isEqualTo("LEADERSHIP");
        assertThat(f.other.election("jobs/lead").leader()).contains(f.baton.clientId());
        CompletableFuture<Http.Response> second =
                CompletableFuture.supplyAsync(
                        () -> f.http.post("/v1/locks/acquire", body + b + "\"}"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> f.other.inspect("jobs/lead").orElseThrow().waiters() == 1);
        assertThat(second).isNotDone();
        f.http.post("/v1/locks/release", "{\"lease\":\"" + first.get("lease").asText() + "\"}");
        JsonNode next = second.get(10, TimeUnit.SECONDS).json();
        assertThat(next.get("token").asLong()).isGreaterThan(first.get("token").asLong());
        assertThat(f.http.post("/v1/locks/acquire", body.replace("30s", "0s") + a + "\"}").status())
                .isEqualTo(400);
    }
}
