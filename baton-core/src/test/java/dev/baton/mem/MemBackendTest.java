package dev.baton.mem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.BackendUnavailableException;
import dev.baton.BatonConfig;
import dev.baton.ClientClosedException;
import dev.baton.LeaseKind;
import dev.baton.spi.AcquireRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
     * waiting left the acquire's future incomplete forever (an unbounded acquire() hung).
     */
    @Test
    void closeRacingAnAcquireNeverLeavesTheAcquireHanging() throws Exception {
        MemSession holder =
                engine.open(
                        "holder",
                        BatonConfig.DEFAULT_NAMESPACE,
                        TimeUnit.HOURS.toNanos(1),
                        System.nanoTime(),
                        new NoClient());
        engine.enqueue(holder, System.nanoTime(), mutex("x"), new RecordingSink());

        MemBackend backend =
                new MemBackend(engine, new RecordingContext("closing", BatonConfig.defaults()));
        backend.afterEnqueueForTests = backend::close;
        RecordingSink acquire = new RecordingSink();
        backend.acquire(mutex("x"), acquire);

        await().atMost(PATIENCE).until(acquire::isDone);
        assertThatThrownBy(acquire::get)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfAny(ClientClosedException.class, BackendUnavailableException.class);
        assertThat(engine.entries(LeaseKind.MUTEX, "x"))
                .singleElement()
                .asString()
                .contains("holder held");
    }

    private static String firstAnswer(RecordingContext ctx, int from) {
        List<String> signals = List.copyOf(ctx.signals);
        return signals.subList(from, signals.size()).stream()
                .filter(sig -> !sig.equals("suspended"))
                .findFirst()
                .orElse(null);
    }

    /** A client that ignores what the engine tells it. */
    private static final class NoClient implements MemSession.Client {
        @Override
        public void granted(MemQueues.Entry entry, long sentAtNanos) {}

        @Override
        public void sessionExpired(String detail) {}

        @Override
        public void waitersDropped(List<MemQueues.Entry> entries, String why) {}
    }
}
