package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/watch}: key and lock events, and resumption with Last-Event-ID. */
class WatchStreamTest {
    private final GatewayFixture f = new GatewayFixture(b -> b.eventHistory(5));
    private final Http http = f.http;

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void keyAndLockEventsUnderThePrefixArrive() throws Exception {
        try (EventStream s = http.events("/v1/watch?prefix=orders", null)) {
            assertThat(s.next("hello", 10).id()).isNotBlank();
            f.baton.keyValue().put("other/x", "not under the prefix");
            f.baton.keyValue().put("orders/1", "new");
            EventStream.Event put = s.next(10);
            assertThat(put.event()).isEqualTo("put");
            JsonNode p = Http.JSON.readTree(put.data());
            assertThat(p.get("key").asText()).isEqualTo("orders/1");
            assertThat(p.get("value").asText()).isEqualTo("new");

            String session = http.session("10s");
            long token = http.acquire(session, "orders/lock", "0s").json().get("token").asLong();
            EventStream.Event lock = s.next("lock", 10);
            assertThat(Http.JSON.readTree(lock.data()).at("/lock/holders/0/token").asLong())
                    .isEqualTo(token);
        }
    }

    @Test
    void aStreamResumedWithLastEventIdLosesAndRepeatsNothing() throws Exception {
        String lastSeen;
        try (EventStream s = http.events("/v1/watch?prefix=cfg", null)) {
            s.next("hello", 10);
            f.baton.keyValue().put("cfg/a", "1");
            lastSeen = s.next("put", 10).id();
        }
        f.baton.keyValue().put("cfg/a", "2"); // while disconnected
        f.baton.keyValue().put("cfg/b", "3");
        try (EventStream s = http.events("/v1/watch?prefix=cfg", lastSeen)) {
            assertThat(value(s.next(10))).isEqualTo("2");
            assertThat(value(s.next(10))).isEqualTo("3");
            f.baton.keyValue().put("cfg/a", "4");
            assertThat(value(s.next(10))).as("then live, nothing repeated").isEqualTo("4");
            assertThat(s.events.poll(200, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void anIdOlderThanTheHistoryOrFromAnotherRunGetsAResync() throws Exception {
        String first;
        try (EventStream s = http.events("/v1/watch?prefix=cfg", null)) {
            s.next("hello", 10);
            f.baton.keyValue().put("cfg/a", "0");
            first = s.next("put", 10).id();
        }
        try (EventStream live = http.events("/v1/watch?prefix=cfg", null)) {
            live.next("hello", 10);
            for (int i = 1; i <= 6; i++) { // history keeps 5
                f.baton.keyValue().put("cfg/a", Integer.toString(i));
            }
            // The hub hears the engine's events on the library's delivery thread, after put()
            // returns: until it has all six, the first id may still be in its history.
            while (!value(live.next("put", 10)).equals("6")) {
                // skip 1..5
            }
        }
        try (EventStream s = http.events("/v1/watch?prefix=cfg", first)) {
            assertThat(s.next(10).event()).isEqualTo("resync");
        }
        try (EventStream s = http.events("/v1/watch?prefix=cfg", "0badc0de-3")) {
            assertThat(s.next(10).event()).isEqualTo("resync");
        }
    }

    @Test
    void aBadPrefixIsAJsonErrorNotAStream() {
        Http.Response r =
                http.send(
                        http.request("/v1/watch?prefix=a//b")
                                .header("Accept", "text/event-stream")
                                .method("GET", HttpRequest.BodyPublishers.noBody()));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).isEqualTo("invalid-name");
    }

    private static String value(EventStream.Event e) throws Exception {
        assertThat(e.event()).isEqualTo("put");
        return Http.JSON.readTree(e.data()).get("value").asText();
    }
}
