package dev.baton.mem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.BackendUnavailableException;
import dev.baton.BatonConfig;
import dev.baton.ClientClosedException;
import dev.baton.LeaseKind;
import dev.baton.spi.AcquireRequest;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A {@link MemBackend} driven directly, with a recording stand-in for the core. */
class MemBackendTest {
    private static final String ENGINE = "mem-backend-test";
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private final MemEngine engine = MemEngine.named(ENGINE);

    @AfterEach
    void reset() {
        MemEngine.reset(ENGINE);
    }

    private static AcquireRequest mutex(String name) {
        return new AcquireRequest(name, LeaseKind.MUTEX, 1, 1, false);
    }

    /**
     * Issue 3: a client cut off while its session expired used to be let back into the dead session
     * on heal, its keep-alive reporting sessionConfirmed. It must hear SESSION_EXPIRED first, and
     * carry on under a new session.
     */
    @Test
    void aClientHealedAfterItsSessionExpiredIsToldItExpiredInsteadOfConfirmed() {
        RecordingContext ctx =
                new RecordingContext(
                        "healed", BatonConfig.custom().leaseTtl(Duration.ofSeconds(2)).build());
        MemBackend backend = new MemBackend(engine, ctx);
        try {
            engine.partition("healed");
            await().atMost(PATIENCE).until(() -> !engine.clients().contains("healed"));
            int before = ctx.signals.size();
            engine.heal("healed");

            // Failed keep-alives racing the heal may still add "suspended"; what counts is the
            // first answer from the engine.
            await().atMost(PATIENCE).until(() -> firstAnswer(ctx, before) != null);
            assertThat(firstAnswer(ctx, before)).isEqualTo("lost SESSION_EXPIRED");
            await().atMost(PATIENCE).until(() -> engine.clients().contains("healed"));
            assertThat(backend.inspect("x")).as("works on its new session").isEmpty();
        } finally {
            backend.close();
        }
    }

    /**
     * Issue 6: close between the engine queueing an acquire and the backend registering it as
     * waiting left the acquire's future incomplete forever (an unbounded acquire() hung). Here the
     * entry is still waiting when close runs, so the engine drops it and close fails it.
     */
    @Test
    void closeRacingAnAcquireNeverLeavesTheAcquireHanging() throws Exception {
        MemSession holder = open("holder", new OnGrant(() -> {}));
        engine.enqueue(holder, System.nanoTime(), mutex("x"), new RecordingSink());
        MemBackend backend =
                new MemBackend(engine, new RecordingContext("closing", BatonConfig.defaults()));
        beforeRegisteringAWaiter(backend, backend::close);

        RecordingSink acquire = new RecordingSink();
        backend.acquire(mutex("x"), acquire);

        assertFailedByClose(acquire);
        assertThat(engine.entries(LeaseKind.MUTEX, "x"))
                .singleElement()
                .asString()
                .contains("holder held");
    }

    /**
     * Issue 6, the interleaving that only the backend's re-check of {@code closed} after
     * registering a waiter settles: after acquire() saw its entry waiting, the engine granted it
     * and close ran before acquire() registered it. Close found the entry neither among the waiters
     * the engine dropped (it was granted) nor registered as waiting, and shut the event thread down
     * before the grant was handed over, so nobody answered the acquire.
     *
     * <p>Deterministic, on the test thread: the release of the writer ahead grants two readers,
     * "tee" first, whose grant callback (outside the engine lock, before the engine hands the
     * second grant to the backend) closes the backend; so the backend's grant hand-over is refused.
     */
    @Test
    void closeRacingTheGrantOfAWaitingAcquireNeverLeavesTheAcquireHanging() throws Exception {
        MemSession holder = open("holder", new OnGrant(() -> {}));
        RecordingSink held = new RecordingSink();
        MemQueues.Entry writer = engine.enqueue(holder, System.nanoTime(), write("x"), held);
        MemBackend backend =
                new MemBackend(engine, new RecordingContext("closing", BatonConfig.defaults()));
        List<String> atClose = new ArrayList<>();
        MemSession tee =
                open(
                        "tee",
                        new OnGrant(
                                () -> {
                                    atClose.addAll(engine.entries(LeaseKind.READ, "x"));
                                    backend.close();
                                }));
        engine.enqueue(tee, System.nanoTime(), read("x"), new RecordingSink());
        beforeRegisteringAWaiter(backend, () -> engine.remove(holder, System.nanoTime(), writer));

        RecordingSink acquire = new RecordingSink();
        backend.acquire(read("x"), acquire);

        assertThat(atClose)
                .as("both readers granted when the backend closed")
                .hasSize(2)
                .allSatisfy(entry -> assertThat(entry).endsWith(" held"));
        assertFailedByClose(acquire);
        assertThat(engine.entries(LeaseKind.READ, "x"))
                .singleElement()
                .asString()
                .contains("tee held");
    }

    private MemSession open(String clientId, MemSession.Client client) {
        return engine.open(
                clientId,
                BatonConfig.DEFAULT_NAMESPACE,
                TimeUnit.HOURS.toNanos(1),
                System.nanoTime(),
                client);
    }

    private static AcquireRequest read(String name) {
        return new AcquireRequest(name, LeaseKind.READ, 1, 1, false);
    }

    private static AcquireRequest write(String name) {
        return new AcquireRequest(name, LeaseKind.WRITE, 1, 1, false);
    }

    private static void assertFailedByClose(RecordingSink acquire) {
        await().atMost(PATIENCE).until(acquire::isDone);
        assertThatThrownBy(acquire::get)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfAny(ClientClosedException.class, BackendUnavailableException.class);
    }

    /**
     * Runs {@code race} in {@link MemBackend#acquire} at the one point no engine callback reaches:
     * after the engine answered that the entry waits, just before the backend registers it as
     * waiting. The backend's private set of waiting entries is swapped, by reflection, for one that
     * runs {@code race} before its first {@code add}, so main code needs no test hook. (A rename of
     * the field fails here loudly, never silently.)
     */
    private static void beforeRegisteringAWaiter(MemBackend backend, Runnable race)
            throws ReflectiveOperationException {
        Field field = MemBackend.class.getDeclaredField("waiting");
        field.setAccessible(true);
        @SuppressWarnings("unchecked")
        Set<MemQueues.Entry> real = (Set<MemQueues.Entry>) field.get(backend);
        field.set(backend, new RaceOnFirstAdd(real, race));
    }

    /** A set of waiting entries that runs a race on the thread of the first {@code add}. */
    private static final class RaceOnFirstAdd extends AbstractSet<MemQueues.Entry> {
        private final Set<MemQueues.Entry> real;
        private final AtomicReference<Runnable> race;

        RaceOnFirstAdd(Set<MemQueues.Entry> real, Runnable race) {
            this.real = real;
            this.race = new AtomicReference<>(race);
        }

        @Override
        public boolean add(MemQueues.Entry e) {
            Runnable r = race.getAndSet(null);
            if (r != null) {
                r.run();
            }
            return real.add(e);
        }

        @Override
        public boolean remove(Object o) {
            return real.remove(o);
        }

        @Override
        public boolean contains(Object o) {
            return real.contains(o);
        }

        @Override
        public Iterator<MemQueues.Entry> iterator() {
            return real.iterator();
        }

        @Override
        public int size() {
            return real.size();
        }
    }

    private static String firstAnswer(RecordingContext ctx, int from) {
        List<String> signals = List.copyOf(ctx.signals);
        return signals.subList(from, signals.size()).stream()
                .filter(sig -> !sig.equals("suspended"))
                .findFirst()
                .orElse(null);
    }

    /** A client that runs {@code onGrant} when granted, and ignores the rest. */
    private record OnGrant(Runnable onGrant) implements MemSession.Client {
        @Override
        public void granted(MemQueues.Entry entry, long sentAtNanos) {
            onGrant.run();
        }

        @Override
        public void sessionExpired(String detail) {}

        @Override
        public void waitersDropped(
                List<MemQueues.Entry> entries, List<MemQueues.CondWaiter> waiters, String why) {}
    }
}
