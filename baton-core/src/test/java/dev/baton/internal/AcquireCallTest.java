package dev.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.LeaseKind;
import dev.baton.Ticker;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.Backend;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The races of one acquisition, settled in the core for every backend. */
class AcquireCallTest {
    private final List<Object> released = new CopyOnWriteArrayList<>();
    private final AtomicInteger withdrawn = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor();
    private final LeaseManager leases =
            new LeaseManager(
                    "me",
                    Ticker.system(),
                    timer,
                    deadlines,
                    Runnable::run,
                    Runnable::run,
                    new LeaseEvents(dev.baton.LeaseListener.NONE, Runnable::run));
    private final AcquireCall call =
            new AcquireCall(leases, new AcquireRequest("x", LeaseKind.MUTEX, 1, 1, false));

    AcquireCallTest() {
        @SuppressWarnings("unchecked")
        Backend<Object> backend =
                (Backend<Object>)
                        Proxy.newProxyInstance(
                                Backend.class.getClassLoader(),
                                new Class<?>[] {Backend.class},
                                (proxy, method, args) -> {
                                    if (method.getName().equals("release")) {
                                        released.add(args[0]);
                                    }
                                    return null;
                                });
        leases.start(backend, Duration.ofSeconds(30), Duration.ofSeconds(3));
    }

    @AfterEach
    void stop() {
        timer.shutdownNow();
        deadlines.shutdownNow();
    }

    @Test
    void aCallerWhoGivesUpFirstWithdrawsAndAGrantThatComesAfterIsReleased() {
        call.attach(withdrawn::incrementAndGet);

        assertThat(call.completeExceptionally(new TimeoutException("timed out"))).isTrue();
        assertThat(withdrawn).hasValue(1);

        call.granted(7, Ticker.system().read(), "late grant");
        assertThat(released).containsExactly("late grant");
        assertThat(call).isCompletedExceptionally();
        assertThat(leases.held()).isEmpty();
    }

    @Test
    void theAcceptedGrantReportedAgainIsTakenOnceAndNeverReleased() {
        call.attach(withdrawn::incrementAndGet);
        call.granted(7, Ticker.system().read(), "grant");
        call.granted(7, Ticker.system().read(), "grant"); // a reply and a notification both

        assertThat(call.join().fencingToken()).isEqualTo(7);
        assertThat(released).isEmpty();
        assertThat(leases.held()).hasSize(1);
    }

    @Test
    void anotherGrantAfterTheAcceptedOneIsReleased() {
        call.attach(withdrawn::incrementAndGet);
        call.granted(7, Ticker.system().read(), "grant");
        call.granted(8, Ticker.system().read(), "another");

        assertThat(released).containsExactly("another");
        assertThat(call.join().fencingToken()).isEqualTo(7);
    }

    @Test
    void givingUpAfterTheGrantLeavesTheLeaseToTheCallerAndWithdrawsNothing() {
        call.attach(withdrawn::incrementAndGet);
        call.granted(7, Ticker.system().read(), "grant");

        assertThat(call.cancel(false)).isFalse();
        assertThat(call.completeExceptionally(new TimeoutException())).isFalse();
        assertThat(withdrawn).hasValue(0);
        assertThat(call.join().isHeld()).isTrue();
    }

    @Test
    void abandoningAfterTheGrantReleasesTheLease() {
        call.attach(withdrawn::incrementAndGet);
        call.granted(7, Ticker.system().read(), "grant");

        call.abandon();

        assertThat(released).containsExactly("grant");
        assertThat(leases.held()).isEmpty();
    }

    @Test
    void aWithdrawalAskedForBeforeTheBackendsHandleArrivesHappensOnAttach() {
        assertThat(call.cancel(false)).isTrue();
        assertThat(withdrawn).hasValue(0);

        call.attach(withdrawn::incrementAndGet);
        assertThat(withdrawn).hasValue(1);
    }
}
