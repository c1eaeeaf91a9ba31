package dev.baton.mem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.BackendUnavailableException;
import dev.baton.InvalidArgumentException;
import dev.baton.LeaseKind;
import dev.baton.WatchEvent;
import dev.baton.mem.MemQueues.Entry;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.NotAcquiredException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's side of the protocol, seen by recording clients: the order of expiry signals and
 * grants, the send times that grants carry, grants held back by a partition. Sessions have a
 * one-hour TTL so that the sweeper never interferes, unless a test is about natural expiry.
 */
class MemEngineProtocolTest {
    private static final String ENGINE = "mem-protocol-test";
    private static final long TTL = TimeUnit.HOURS.toNanos(1);
    private final MemEngine engine = MemEngine.named(ENGINE);
    private final List<String> log = new CopyOnWriteArrayList<>();

    @AfterEach
    void reset() {
        MemEngine.reset(ENGINE);
    }

    /** Records what the engine tells it, in order, into the shared log. */
    private final class Recorder implements MemSession.Client {
        final String id;
        final List<Long> grantSentAts = new CopyOnWriteArrayList<>();

        Recorder(String id) {
            this.id = id;
        }

        @Override
        public void granted(Entry entry, long sentAtNanos) {
            grantSentAts.add(sentAtNanos);
            log.add(id + " granted " + entry.token);
        }

        @Override
        public void sessionExpired(String detail) {
            log.add(id + " expired");
        }

        @Override
        public void waitersDropped(
                List<Entry> entries, List<MemQueues.CondWaiter> waiters, String why) {
            log.add(id + " dropped " + entries.size());
        }
    }

    private static AcquireRequest mutex(String name) {
        return new AcquireRequest(name, LeaseKind.MUTEX, 1, 1, false);
    }

    private MemSession open(Recorder r, long sentAt) {
        return engine.open(r.id, "ns", TTL, sentAt, r);
    }

    @Test
    void aReachableHolderIsToldOfExpiryBeforeTheNextWaiterIsGranted() {
        Recorder a = new Recorder("a");
        Recorder b = new Recorder("b");
        MemSession sa = open(a, 1);
        MemSession sb = open(b, 1);
        Entry held = engine.enqueue(sa, 10, mutex("x"), new RecordingSink());
        Entry waiting = engine.enqueue(sb, 20, mutex("x"), new RecordingSink());
        assertThat(held.granted).isTrue();
        assertThat(waiting.granted).isFalse();

        engine.expire("a");
        assertThat(log).containsExactly("a expired", "b granted " + waiting.token);
    }

    /**
     * Issue 3: expire() of a cut-off holder used to grant the next waiter at once, while the
     * holder, not told, still believed its lease HELD. It now waits for the session's TTL to pass
     * unheard (natural expiry), and the cut-off holder is still not told.
     */
    @Test
    void expiringACutOffHolderGrantsNobodyBeforeItsTtlPassedUnheard() {
        long ttl = TimeUnit.SECONDS.toNanos(2);
        Recorder a = new Recorder("a");
        Recorder b = new Recorder("b");
        MemSession sa = engine.open(a.id, "ns", ttl, 1, a);
        MemSession sb = open(b, 1);
        long beforeLastHeard = System.nanoTime();
        engine.enqueue(sa, 10, mutex("x"), new RecordingSink());
        Entry waiting = engine.enqueue(sb, 20, mutex("x"), new RecordingSink());
        engine.partition("a");
        engine.expire("a");
        assertThat(log).as("nobody granted while a's lease may be valid").isEmpty();
        assertThat(engine.entries("ns", LeaseKind.MUTEX, "x"))
                .first()
                .asString()
                .endsWith("a held");

        await().atMost(Duration.ofSeconds(20)).until(() -> !log.isEmpty());
        long grantedAfter = System.nanoTime() - beforeLastHeard;
        assertThat(log).containsExactly("b granted " + waiting.token);
        assertThat(grantedAfter).isGreaterThan(ttl);
    }

    /**
     * Issue 3: an expiry asked for during a partition and not yet due takes effect when the client
     * is healed, and then the client is told before anybody is granted.
     */
    @Test
    void anExpiryAskedForDuringAPartitionTakesEffectAtHealWithTheHolderToldFirst() {
        Recorder a = new Recorder("a");
        Recorder b = new Recorder("b");
        MemSession sa = open(a, 1);
        MemSession sb = open(b, 1);
        engine.enqueue(sa, 10, mutex("x"), new RecordingSink());
        Entry waiting = engine.enqueue(sb, 20, mutex("x"), new RecordingSink());
        engine.partition("a");
        engine.expire("a");
        assertThat(log).isEmpty();

        engine.heal("a");
        assertThat(log).containsExactly("a expired", "b granted " + waiting.token);
    }

    /**
     * Issue 3: the engine used to reopen an expired session silently on the client's next request.
     * The request fails with SessionExpiredException instead; the client opens a new session.
     */
    @Test
    void aRequestOfAnExpiredSessionIsToldItExpiredAndTheClientMustReopen() {
        Recorder a = new Recorder("a");
        MemSession sa = open(a, 1);
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        engine.watch(sa, 5, "k", events::add);
        engine.partition("a");
        engine.expire("a");
        engine.heal("a"); // the pending expiry takes effect
        assertThat(engine.clients()).doesNotContain("a");

        assertThatThrownBy(() -> engine.heartbeat(sa, 30))
                .isInstanceOf(SessionExpiredException.class)
                .hasMessageContaining("expired");
        assertThat(engine.clients()).as("not silently reopened").doesNotContain("a");
        MemSession fresh = engine.reopen(sa, 40);
        assertThat(engine.clients()).containsExactly("a");
        engine.put(fresh, 50, "k", "v".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(events).as("the watch moved to the new session").hasSize(1);
    }

    /** Issue 15: opening a session with the id of a live one used to overwrite it silently. */
    @Test
    void openingASessionWithTheIdOfALiveOneIsRejected() {
        Recorder a = new Recorder("a");
        MemSession first = open(a, 1);
        assertThatThrownBy(() -> open(new Recorder("a"), 2))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("already has a live session for client id a");
        assertThat(engine.clients()).containsExactly("a");
        Entry held = engine.enqueue(first, 10, mutex("x"), new RecordingSink());
        assertThat(held.granted).isTrue();
        engine.expire("a");
        assertThat(open(new Recorder("a"), 20)).as("a dead session's id is free").isNotNull();
    }

    /** Issue 4: semaphore handles of different sizes used to oversubscribe the smaller size. */
    @Test
    void semaphoreRequestsOfAnotherSizeThanTheQueuesAreRejected() {
        Recorder a = new Recorder("a");
        Recorder b = new Recorder("b");
        MemSession sa = open(a, 1);
        MemSession sb = open(b, 1);
        Entry one =
                engine.enqueue(
                        sa,
                        10,
                        new AcquireRequest("s", LeaseKind.SEMAPHORE, 1, 1, false),
                        new RecordingSink());
        assertThatThrownBy(
                        () ->
                                engine.enqueue(
                                        sb,
                                        20,
                                        new AcquireRequest("s", LeaseKind.SEMAPHORE, 1, 5, false),
                                        new RecordingSink()))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(
                        "semaphore \"s\" has 1 permits in the engine, but this handle was made with 5");
        assertThat(engine.entries("ns", LeaseKind.SEMAPHORE, "s")).hasSize(1);

        engine.remove(sa, 30, one);
        Entry five =
                engine.enqueue(
                        sb,
                        40,
                        new AcquireRequest("s", LeaseKind.SEMAPHORE, 1, 5, false),
                        new RecordingSink());
        assertThat(five.granted).as("an empty queue takes a new size").isTrue();
    }

    /**
     * Issue 5: sinks run under the engine lock; one that throws used to abort the engine operation
     * halfway (the writer got the exception) and deprive later subscriptions of the event.
     */
    @Test
    void aThrowingWatchSinkCannotBreakAWriteOrStarveOtherWatches() {
        Recorder a = new Recorder("a");
        MemSession sa = open(a, 1);
        List<WatchEvent> seen = new CopyOnWriteArrayList<>();
        engine.watch(
                sa,
                2,
                "k",
                e -> {
                    throw new IllegalStateException("broken sink");
                });
        engine.watch(sa, 3, "k", seen::add);

        engine.put(sa, 10, "k", "v".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(seen).hasSize(1);
        assertThat(engine.get(sa, 20, "k")).isPresent();
    }

    @Test
    void aGrantToAWaiterCarriesTheSendTimeOfItsLastHeardRequest() {
        Recorder a = new Recorder("a");
        Recorder b = new Recorder("b");
        MemSession sa = open(a, 1);
        MemSession sb = open(b, 100);
        Entry held = engine.enqueue(sa, 150, mutex("x"), new RecordingSink());
        engine.enqueue(sb, 200, mutex("x"), new RecordingSink());
        engine.heartbeat(sb, 300);
        engine.heartbeat(sb, 250); // a late, older request does not move the time back
        engine.remove(sa, 400, held);
        assertThat(b.grantSentAts).containsExactly(300L);
    }

    @Test
    void aGrantToACutOffWaiterWaitsForItsNextHeardRequest() {
        Recorder a = new Recorder("a");
        Recorder b = new Recorder("b");
        MemSession sa = open(a, 1);
        MemSession sb = open(b, 1);
        Entry held = engine.enqueue(sa, 10, mutex("x"), new RecordingSink());
        Entry waiting = engine.enqueue(sb, 20, mutex("x"), new RecordingSink());
        engine.partition("b");
        engine.remove(sa, 30, held);
        assertThat(waiting.granted).isTrue();
        assertThat(b.grantSentAts).isEmpty();
        assertThatThrownBy(() -> engine.heartbeat(sb, 40))
                .isInstanceOf(BackendUnavailableException.class);

        engine.heal("b");
        engine.heartbeat(sb, 50);
        assertThat(b.grantSentAts).containsExactly(50L);
    }

    @Test
    void aTryOnceRequestThatCannotBeGrantedLeavesNothing() {
        Recorder a = new Recorder("a");
        Recorder b = new Recorder("b");
        MemSession sa = open(a, 1);
        MemSession sb = open(b, 1);
        engine.enqueue(sa, 10, mutex("x"), new RecordingSink());
        assertThatThrownBy(
                        () ->
                                engine.enqueue(
                                        sb,
                                        20,
                                        new AcquireRequest("x", LeaseKind.MUTEX, 1, 1, true),
                                        new RecordingSink()))
                .isInstanceOf(NotAcquiredException.class);
        assertThat(engine.entries("ns", LeaseKind.MUTEX, "x")).hasSize(1);
        assertThat(log).isEmpty();
    }

    @Test
    void removingAnEntryTwiceOrAnotherSessionsLaterGrantIsHarmless() {
        Recorder a = new Recorder("a");
        Recorder b = new Recorder("b");
        MemSession sa = open(a, 1);
        MemSession sb = open(b, 1);
        Entry first = engine.enqueue(sa, 10, mutex("x"), new RecordingSink());
        assertThat(engine.remove(sa, 20, first)).isTrue();
        Entry second = engine.enqueue(sb, 30, mutex("x"), new RecordingSink());
        assertThat(engine.remove(sa, 40, first)).as("a stale release").isFalse();
        assertThat(second.granted).isTrue();
        assertThat(engine.entries("ns", LeaseKind.MUTEX, "x"))
                .singleElement()
                .asString()
                .contains(" b held");
        assertThat(engine.renew(sb, 50, List.of(second))).isEmpty();
        assertThat(engine.renew(sa, 50, List.of(first))).containsExactly(first);
    }

    @Test
    void aWaiterOfAnExpiringSessionIsNeverGranted() {
        Recorder a = new Recorder("a");
        Recorder b = new Recorder("b");
        Recorder c = new Recorder("c");
        MemSession sa = open(a, 1);
        MemSession sb = open(b, 1);
        MemSession sc = open(c, 1);
        Entry held = engine.enqueue(sa, 10, mutex("x"), new RecordingSink());
        engine.enqueue(sb, 20, mutex("x"), new RecordingSink());
        Entry third = engine.enqueue(sc, 30, mutex("x"), new RecordingSink());
        engine.expire("b");
        engine.remove(sa, 40, held);
        assertThat(log).containsExactly("b expired", "b dropped 1", "c granted " + third.token);
    }
}
