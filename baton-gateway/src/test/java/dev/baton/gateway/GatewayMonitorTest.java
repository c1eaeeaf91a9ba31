package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.LeaseKind;
import dev.baton.mem.MemEngine;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/monitors}: a wait queued by its first answer, woken by another session's signal with a
 * higher token, ended by its time-up, withdrawn or given up with its session leaving nothing in the
 * engine; refusals (a lease that is not the monitor's holder, bad bodies, the wait limit) change
 * nothing.
 */
class GatewayMonitorTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private final GatewayFixture f = new GatewayFixture();

    @AfterEach
    void stop() {
        f.close();
    }

    private MemEngine engine() {
        return MemEngine.named(f.engine);
    }

    /** Enters the monitor {@code name} in session {@code s}; the lease id. */
    private String enter(String s, String name) {
        Http.Response r =
                f.http.post(
                        "/v1/locks/acquire",
                        "{\"name\":\""
                                + name
                                + "\",\"session\":\""
                                + s
                                + "\",\"kind\":\"monitor\",\"wait\":\"10s\"}");
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.json().get("kind").asText()).isEqualTo("MONITOR");
        return r.json().get("lease").asText();
    }

    private Http.Response signal(String lease, String condition, boolean all) {
        return f.http.post(
                "/v1/monitors/signal",
                "{\"lease\":\""
                        + lease
                        + "\",\"condition\":\""
                        + condition
                        + "\",\"all\":"
                        + all
                        + "}");
    }

    @Test
    void aQueuedWaiterIsWokenByAnotherSessionsSignalWithAHigherToken() throws Exception {
        String waiter = f.http.session("30s");
        String signaller = f.http.session("30s");
        String first = enter(waiter, "buf");

        Http.Response queued =
                f.http.post(
                        "/v1/monitors/await", MonitorBodies.await(waiter, first, "ready", "w1"));
        assertThat(queued.status()).as("%s", queued).isEqualTo(202);
        assertThat(queued.json().get("waiting").asBoolean()).isTrue();
        // The 202 came after the atomic step: queued, and the monitor given up.
        assertThat(engine().conditionWaiters("buf", "ready")).hasSize(1);
        assertThat(f.http.post("/v1/locks/release", "{\"lease\":\"" + first + "\"}").status())
                .as("the old lease left the session with the wait")
                .isEqualTo(404);

        CompletableFuture<Http.Response> woken =
                f.http.postAsync("/v1/monitors/await", MonitorBodies.poll(waiter, "w1", "30s"));
        String held = enter(signaller, "buf");
        JsonNode signalled = signal(held, "ready", false).json();
        assertThat(signalled.get("woken").asInt()).isEqualTo(1);
        assertThat(engine().conditionWaiters("buf", "ready")).isEmpty();
        assertThat(woken).as("Mesa: the signaller keeps the monitor").isNotDone();
        long signallerToken = f.baton.inspect("buf").orElseThrow().holders().get(0).fencingToken();
        assertThat(f.http.post("/v1/locks/release", "{\"lease\":\"" + held + "\"}").status())
                .isEqualTo(200);

        Http.Response w = woken.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(w.status()).as("%s", w).isEqualTo(200);
        assertThat(w.json().get("signalled").asBoolean()).isTrue();
        assertThat(w.json().get("kind").asText()).isEqualTo("MONITOR");
        assertThat(w.json().get("token").asLong()).isGreaterThan(signallerToken);
        String again = w.json().get("lease").asText();
        assertThat(f.http.post("/v1/locks/release", "{\"lease\":\"" + again + "\"}").status())
                .as("the session carries the new lease")
                .isEqualTo(200);
        assertThat(
                        f.http.post("/v1/monitors/await", MonitorBodies.poll(waiter, "w1", "0s"))
                                .status())
                .as("an answered wait is gone")
                .isEqualTo(404);
    }

    @Test
    void aPollOutlivedByTheWaitAnswers202AndTheTimeUpThenWakesItUnsignalled() {
        String s = f.http.session("30s");
        String lease = enter(s, "tu");
        assertThat(
                        f.http.post("/v1/monitors/await", MonitorBodies.await(s, lease, "c", "w"))
                                .status())
                .isEqualTo(202);
        Http.Response still = f.http.post("/v1/monitors/await", MonitorBodies.poll(s, "w", "1s"));
        assertThat(still.status()).as("%s", still).isEqualTo(202);
        assertThat(still.json().get("request").asText()).isEqualTo("w");

        Http.Response up =
                f.http.post("/v1/monitors/timeup", "{\"session\":\"" + s + "\",\"request\":\"w\"}");
        assertThat(up.status()).as("%s", up).isEqualTo(200);
        assertThat(up.json().get("moved").asBoolean()).isTrue();
        Http.Response w = f.http.post("/v1/monitors/await", MonitorBodies.poll(s, "w", "30s"));
        assertThat(w.status()).as("%s", w).isEqualTo(200);
        assertThat(w.json().get("signalled").asBoolean()).isFalse();
        assertThat(engine().conditionWaiters("tu", "c")).isEmpty();
    }

    @Test
    void aWithdrawnWaitAndOneWhoseSessionEndedLeaveNothingInTheEngine() {
        String s = f.http.session("30s");
        String lease = enter(s, "wd");
        assertThat(
                        f.http.post("/v1/monitors/await", MonitorBodies.await(s, lease, "c", "w"))
                                .status())
                .isEqualTo(202);
        Http.Response withdrawn =
                f.http.post("/v1/locks/withdraw", "{\"session\":\"" + s + "\",\"request\":\"w\"}");
        assertThat(withdrawn.json().get("withdrawn").asBoolean()).isTrue();
        await().atMost(PATIENCE).until(() -> engine().conditionWaiters("wd", "c").isEmpty());
        assertThat(engine().entries(LeaseKind.MONITOR, "wd")).isEmpty();
        assertThat(
                        f.http.post("/v1/monitors/await", MonitorBodies.poll(s, "w", "0s"))
                                .json()
                                .get("error")
                                .asText())
                .isIn("withdrawn", "session-ended", "not-found");

        String ending = f.http.session("30s");
        String other = enter(ending, "wd");
        assertThat(
                        f.http.post(
                                        "/v1/monitors/await",
                                        MonitorBodies.await(ending, other, "c", "w2"))
                                .status())
                .isEqualTo(202);
        assertThat(engine().conditionWaiters("wd", "c")).hasSize(1);
        assertThat(f.http.delete("/v1/sessions/" + ending).status()).isEqualTo(204);
        await().atMost(PATIENCE).until(() -> engine().conditionWaiters("wd", "c").isEmpty());
        assertThat(engine().entries(LeaseKind.MONITOR, "wd")).isEmpty();
    }

    @Test
    void aLeaseThatIsNotTheMonitorsHolderIsRefused409WithTheNameAndChangesNothing() {
        String s = f.http.session("30s");
        Http.Response mutex = f.http.acquire(s, "orders/1", "0s");
        String mutexLease = mutex.json().get("lease").asText();

        Http.Response awaited =
                f.http.post("/v1/monitors/await", MonitorBodies.await(s, mutexLease, "c", "r1"));
        assertThat(awaited.status()).isEqualTo(409);
        assertThat(awaited.json().get("error").asText()).isEqualTo("not-holder");
        assertThat(awaited.json().get("message").asText()).contains("orders/1", "MUTEX");
        Http.Response signalled = signal(mutexLease, "c", true);
        assertThat(signalled.status()).isEqualTo(409);
        assertThat(signalled.json().get("error").asText()).isEqualTo("not-holder");
        assertThat(signalled.json().get("message").asText()).contains("orders/1");
        assertThat(engine().conditionWaiters("orders/1", "c")).isEmpty();
        assertThat(f.http.post("/v1/locks/release", "{\"lease\":\"" + mutexLease + "\"}").status())
                .as("the refused lease is still held and carried")
                .isEqualTo(200);

        String monitorLease = enter(s, "m");
        assertThat(signal("no-such-lease", "c", false).status()).isEqualTo(404);
        String other = f.http.session("30s");
        Http.Response foreign =
                f.http.post(
                        "/v1/monitors/await", MonitorBodies.await(other, monitorLease, "c", "r2"));
        assertThat(foreign.status()).as("a lease of another session").isEqualTo(404);
        assertThat(signal(monitorLease, "c", false).json().get("woken").asInt()).isZero();
    }

    @Test
    void badBodiesAreRefusedWithTheRuleAndChangeNothing() {
        String s = f.http.session("30s");
        String lease = enter(s, "bad");
        expect400(MonitorBodies.await(s, lease, "a/b", "r"), "invalid-name", "one segment");
        expect400(
                MonitorBodies.await(s, lease, "c", "r").replace("\"request\"", "\"reqest\""),
                "invalid-body",
                "reqest");
        expect400(
                "{\"session\":\"" + s + "\",\"lease\":\"" + lease + "\",\"request\":\"r\"}",
                "invalid-body",
                "\"condition\" is required");
        expect400(
                MonitorBodies.await(s, lease, "c", "r").replace("}", ",\"wait\":\"soon\"}"),
                "invalid-duration",
                "wait");
        expect400(
                MonitorBodies.poll(s, "r", "0s").replace("}", ",\"condition\":\"c\"}"),
                "invalid-body",
                "condition");
        Http.Response sig =
                f.http.post(
                        "/v1/monitors/signal",
                        "{\"lease\":\"" + lease + "\",\"condition\":\"c\",\"all\":\"yes\"}");
        assertThat(sig.status()).isEqualTo(400);
        assertThat(sig.json().get("message").asText()).contains("\"all\" must be true or false");
        assertThat(
                        f.http.post("/v1/monitors/timeup", "{\"session\":\"" + s + "\"}")
                                .json()
                                .get("message")
                                .asText())
                .contains("\"request\" is required");
        assertThat(engine().conditionWaiters("bad", "c")).isEmpty();
        assertThat(f.http.post("/v1/locks/release", "{\"lease\":\"" + lease + "\"}").status())
                .as("still held after every refusal")
                .isEqualTo(200);
    }

    private void expect400(String body, String code, String says) {
        Http.Response r = f.http.post("/v1/monitors/await", body);
        assertThat(r.status()).as("%s", r).isEqualTo(400);
        assertThat(r.json().get("error").asText()).isEqualTo(code);
        assertThat(r.json().get("message").asText()).contains(says);
    }

    @Test
    void waitsBeyondTheLimitAreRefused429AndTheRefusedLeaseIsStillHeld() {
        try (GatewayFixture limited = new GatewayFixture(b -> b.maxMonitorWaits(1))) {
            String s = limited.http.session("30s");
            String a = enterOn(limited, s, "lim/a");
            String b = enterOn(limited, s, "lim/b");
            assertThat(
                            limited.http
                                    .post(
                                            "/v1/monitors/await",
                                            MonitorBodies.await(s, a, "c", "w1"))
                                    .status())
                    .isEqualTo(202);
            Http.Response refused =
                    limited.http.post("/v1/monitors/await", MonitorBodies.await(s, b, "c", "w2"));
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.json().get("error").asText()).isEqualTo("too-many-waits");
            assertThat(refused.json().get("message").asText()).contains("maxMonitorWaits", "1");
            MemEngine e = MemEngine.named(limited.engine);
            assertThat(e.conditionWaiters("lim/b", "c")).isEmpty();
            // The first wait ends (time-up, then its wake-up is answered): room for the next.
            limited.http.post(
                    "/v1/monitors/timeup", "{\"session\":\"" + s + "\",\"request\":\"w1\"}");
            assertThat(
                            limited.http
                                    .post("/v1/monitors/await", MonitorBodies.poll(s, "w1", "30s"))
                                    .status())
                    .isEqualTo(200);
            assertThat(
                            limited.http
                                    .post(
                                            "/v1/monitors/await",
                                            MonitorBodies.await(s, b, "c", "w3"))
                                    .status())
                    .as("the refused lease was still held, and the request name w2 not taken")
                    .isEqualTo(202);
        }
    }

    private static String enterOn(GatewayFixture g, String s, String name) {
        return g.http.post(
                        "/v1/locks/acquire",
                        "{\"name\":\""
                                + name
                                + "\",\"session\":\""
                                + s
                                + "\",\"kind\":\"monitor\"}")
                .json()
                .get("lease")
                .asText();
    }
}
