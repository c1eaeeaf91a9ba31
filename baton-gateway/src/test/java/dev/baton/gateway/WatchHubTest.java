package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.mem.MemEngine;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link WatchHub} on its own, on the in-memory engine, with sinks that record what they are sent:
 * resumption, resync, prefix filtering, dropping a dead stream.
 */
class WatchHubTest {
    private final String engine = "hub-" + UUID.randomUUID();
    private final Baton baton = Baton.connect("mem:" + engine);
    private WatchHub hub;

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
        baton.close();
        MemEngine.reset(engine);
    }

    record Sent(String event, String id, String json) {
        String key() {
            try {
                return LockJson.MAPPER.readTree(json).path("key").asText(null);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + json, e);
            }
        }
    }

    /** Records each event; answers false (a closed stream) from send number {@code failFrom}. */
    static final class Recording implements EventSink {
        final List<Sent> sent = new CopyOnWriteArrayList<>();
        final AtomicInteger calls = new AtomicInteger();
        private final int failFrom;

        Recording(int failFrom) {
            this.failFrom = failFrom;
        }

        Recording() {
            this(Integer.MAX_VALUE);
        }

        @Override
        public boolean send(String event, String id, String json) {
            if (calls.incrementAndGet() >= failFrom) {
                return false;
            }
            sent.add(new Sent(event, id, json));
            return true;
        }

        @Override
        public void close() {}

        List<String> keys() {
            return sent.stream().filter(s -> s.event().equals("put")).map(Sent::key).toList();
        }

        String idOfPut(String key) {
            return sent.stream()
                    .filter(s -> s.event().equals("put") && key.equals(s.key()))
                    .findFirst()
                    .orElseThrow()
                    .id();
        }
    }

    /** Puts each key and waits until {@code everything} (prefix "") has seen them all. */
    private void put(Recording everything, String... keys) {
        int before = everything.keys().size();
        for (String k : keys) {
            baton.keyValue().put(k, "v");
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> everything.keys().size() == before + keys.length);
    }

    @Test
    void aResumedSinkGetsWhatFollowedItsIdThenLiveEventsWithNoGapOrRepeat() {
        hub = new WatchHub(baton, 10);
        Recording all = new Recording();
        hub.attach("", null, all);
        assertThat(all.sent.get(0).event()).isEqualTo("hello");
        put(all, "a", "b", "c");

        Recording resumed = new Recording();
        hub.attach("", all.idOfPut("a"), resumed);
        assertThat(resumed.keys()).as("replayed at once").containsExactly("b", "c");

        Recording upToDate = new Recording();
        hub.attach("", all.idOfPut("c"), upToDate);
        assertThat(upToDate.sent).as("nothing missed, nothing replayed").isEmpty();

        put(all, "d");
        await().atMost(Duration.ofSeconds(10)).until(() -> upToDate.keys().size() == 1);
        assertThat(resumed.keys()).containsExactly("b", "c", "d");
        assertThat(upToDate.keys()).containsExactly("d");
        assertThat(resumed.sent).extracting(Sent::id).doesNotHaveDuplicates();
        assertThat(resumed.sent.get(2).id()).isEqualTo(all.idOfPut("d"));
    }

    @Test
    void anIdFromAnotherEpochOrOlderThanTheHistoryOrAheadGetsAResync() {
        hub = new WatchHub(baton, 3);
        Recording all = new Recording();
        hub.attach("", null, all);
        put(all, "k1", "k2", "k3", "k4", "k5"); // the history keeps k3..k5

        Recording edge = new Recording();
        hub.attach("", all.idOfPut("k2"), edge);
        assertThat(edge.keys()).as("just old enough: k3 is kept").containsExactly("k3", "k4", "k5");

        Recording tooOld = new Recording();
        hub.attach("", all.idOfPut("k1"), tooOld);
        assertThat(tooOld.sent).extracting(Sent::event).containsExactly("resync");

        String epoch = all.idOfPut("k1").substring(0, all.idOfPut("k1").lastIndexOf('-'));
        for (String id : List.of("0badc0de-3", epoch + "-99", epoch + "-x", "no-dash-at-all-")) {
            Recording r = new Recording();
            hub.attach("", id, r);
            assertThat(r.sent).as(id).extracting(Sent::event).containsExactly("resync");
        }
        Recording stillLive = tooOld;
        put(all, "k6");
        await().atMost(Duration.ofSeconds(10)).until(() -> stillLive.keys().contains("k6"));
    }

    @Test
    void aSinkGetsOnlyNamesUnderItsPrefixAsAPath() {
        hub = new WatchHub(baton, 10);
        Recording all = new Recording();
        Recording orders = new Recording();
        hub.attach("", null, all);
        hub.attach("orders", null, orders);
        put(all, "orders/1", "ordersX/2", "other/3", "orders", "orders/a/b");
        // Every sink is written in one pass per event: once "all" has them, so has "orders".
        assertThat(orders.keys()).containsExactly("orders/1", "orders", "orders/a/b");
    }

    @Test
    void aSinkWhoseStreamIsGoneIsDroppedAndNotWrittenAgain() {
        hub = new WatchHub(baton, 10);
        Recording all = new Recording();
        Recording dies = new Recording(2); // hello goes through, the first event fails
        Recording deadOnArrival = new Recording(1);
        hub.attach("", null, all);
        hub.attach("", null, dies);
        hub.attach("", null, deadOnArrival);
        put(all, "x", "y", "z");
        assertThat(dies.calls.get()).as("hello, then one failed write").isEqualTo(2);
        assertThat(deadOnArrival.calls.get()).as("its hello failed: never attached").isEqualTo(1);
        assertThat(all.keys()).containsExactly("x", "y", "z");
    }
}
