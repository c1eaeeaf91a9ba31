package dev.baton.mem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.BackendUnavailableException;
import dev.baton.LeaseKind;
import dev.baton.internal.LeaseImpl;
import dev.baton.mem.MemEngine.Entry;
import dev.baton.mem.MemEngine.Session;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.NotAcquiredException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's side of the protocol, seen by recording clients: the order of expiry signals and
 * grants, the send times that grants carry, grants held back by a partition. Sessions have a
 * one-hour TTL so that the sweeper never interferes.
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
    private final class Recorder implements MemEngine.Client {
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
        public void waitersDropped(List<Entry> entries, String why) {
            log.add(id + " dropped " + entries.size());
        }
    }

    private static AcquireRequest mutex(String name) {
        return new AcquireRequest(name, LeaseKind.MUTEX, 1, 1, false);
    }

    private Session open(Recorder r, long sentAt) {
        return engine.open(r.id, "ns", TTL, sentAt, r);
    }

    @Test
    void aReachableHolderIsToldOfExpiryBeforeTheNextWaiterIsGranted() {
        Recorder a = new Recorder("a");
        Recorder b = new Recorder("b");
        Session sa = open(a, 1);
        Session sb = open(b, 1);
        Entry held = engine.enqueue(sa, 10, mutex("x"), new CompletableFuture<LeaseImpl>());
        Entry waiting = engine.enqueue(sb, 20, mutex("x"), new CompletableFuture<LeaseImpl>());
        assertThat(held.granted).isTrue();
        assertThat(waiting.granted).isFalse();

        engine.expire("a");
        assertThat(log).containsExactly("a expired", "b granted " + waiting.token);
    }

    @Test
    void aCutOffHolderIsNotToldButStillLosesItsGrant() {
        Recorder a = new Recorder("a");
        Recorder b = new Recorder("b");
        Session sa = open(a, 1);
        Session sb = open(b, 1);
        engine.enqueue(sa, 10, mutex("x"), new CompletableFuture<LeaseImpl>());
        Entry waiting = engine.enqueue(sb, 20, mutex("x"), new CompletableFuture<LeaseImpl>());
        engine.partition("a");
        engine.expire("a");
        assertThat(log).containsExactly("b granted " + waiting.token);
    }

    @Test
    void aGrantToAWaiterCarriesTheSendTimeOfItsLastHeardRequest() {
        Recorder a = new Recorder("a");
        Recorder b = new Recorder("b");
        Session sa = open(a, 1);
        Session sb = open(b, 100);
        Entry held = engine.enqueue(sa, 150, mutex("x"), new CompletableFuture<LeaseImpl>());
        engine.enqueue(sb, 200, mutex("x"), new CompletableFuture<LeaseImpl>());
        engine.heartbeat(sb, 300);
        engine.heartbeat(sb, 250); // a late, older request does not move the time back
        engine.remove(sa, 400, held);
        assertThat(b.grantSentAts).containsExactly(300L);
    }

    @Test
    void aGrantToACutOffWaiterWaitsForItsNextHeardRequest() {
        Recorder a = new Recorder("a");
        Recorder b = new Recorder("b");
        Session sa = open(a, 1);
        Session sb = open(b, 1);
        Entry held = engine.enqueue(sa, 10, mutex("x"), new CompletableFuture<LeaseImpl>());
        Entry waiting = engine.enqueue(sb, 20, mutex("x"), new CompletableFuture<LeaseImpl>());
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
        Session sa = open(a, 1);
        Session sb = open(b, 1);
        engine.enqueue(sa, 10, mutex("x"), new CompletableFuture<LeaseImpl>());
        assertThatThrownBy(
                        () ->
                                engine.enqueue(
                                        sb,
                                        20,
                                        new AcquireRequest("x", LeaseKind.MUTEX, 1, 1, true),
                                        new CompletableFuture<LeaseImpl>()))
                .isInstanceOf(NotAcquiredException.class);
        assertThat(engine.entries("ns", LeaseKind.MUTEX, "x")).hasSize(1);
        assertThat(log).isEmpty();
    }

    @Test
    void removingAnEntryTwiceOrAnotherSessionsLaterGrantIsHarmless() {
        Recorder a = new Recorder("a");
        Recorder b = new Recorder("b");
        Session sa = open(a, 1);
        Session sb = open(b, 1);
        Entry first = engine.enqueue(sa, 10, mutex("x"), new CompletableFuture<LeaseImpl>());
        assertThat(engine.remove(sa, 20, first)).isTrue();
        Entry second = engine.enqueue(sb, 30, mutex("x"), new CompletableFuture<LeaseImpl>());
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
        Session sa = open(a, 1);
        Session sb = open(b, 1);
        Session sc = open(c, 1);
        Entry held = engine.enqueue(sa, 10, mutex("x"), new CompletableFuture<LeaseImpl>());
        engine.enqueue(sb, 20, mutex("x"), new CompletableFuture<LeaseImpl>());
        Entry third = engine.enqueue(sc, 30, mutex("x"), new CompletableFuture<LeaseImpl>());
        engine.expire("b");
        engine.remove(sa, 40, held);
        assertThat(log).containsExactly("b expired", "b dropped 1", "c granted " + third.token);
    }
}
