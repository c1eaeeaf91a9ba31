package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.LeaseKind;
import dev.baton.LockSnapshot;
import dev.baton.Semaphore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The semaphore: never oversubscribed, several permits as one lease, FIFO (a large request at the
 * head blocks later small ones), and a crashed holder's permits come back.
 */
abstract class SemaphoreContract extends ContractBase {

    @Test
    void semaphoreIsNeverOversubscribed() throws Exception {
        String name = name("sem");
        int permits = 3;
        List<Baton> cs = List.of(client(), client(), client());

        // Phase 1: all permits can be held at once, by different clients, and no more.
        List<FencedLease> three = new ArrayList<>();
        for (Baton c : cs) {
            three.add(c.semaphore(name, permits).acquire(PATIENCE));
        }
        assertThat(cs.get(0).semaphore(name, permits).tryAcquire()).isEmpty();
        assertThat(cs.get(0).inspect(name).orElseThrow().holders()).hasSize(permits);
        three.forEach(FencedLease::release);

        // Phase 2: many threads in several clients never exceed the permits.
        ExclusiveResource resource = new ExclusiveResource(permits);
        concurrently(
                12,
                i -> {
                    Semaphore s = cs.get(i % cs.size()).semaphore(name, permits);
                    for (int c = 0; c < 15; c++) {
                        try (FencedLease lease = s.acquire(PATIENCE)) {
                            resource.use(
                                    () -> {
                                        lease.ensureValid();
                                        Thread.yield();
                                    });
                        }
                    }
                });
        assertThat(resource.violations()).as(resource.toString()).isZero();
        assertThat(resource.maxInside()).isLessThanOrEqualTo(permits);
        assertThat(resource.entries()).isEqualTo(12 * 15);
        awaitEntries(LeaseKind.SEMAPHORE, name, 0);
    }

    @Test
    void semaphoreGrantsMultiplePermitsAsOneLease() {
        String name = name("multi");
        Baton a = client();
        Baton b = client();
        FencedLease three = a.semaphore(name, 5).acquire(3, PATIENCE);
        assertThat(three.permits()).isEqualTo(3);
        assertThat(b.semaphore(name, 5).tryAcquire(3)).isEmpty();
        FencedLease two = b.semaphore(name, 5).tryAcquire(2).orElseThrow();
        assertThat(two.fencingToken()).isGreaterThan(three.fencingToken());
        assertThat(a.inspect(name).orElseThrow().holders())
                .extracting(LockSnapshot.Holder::permits)
                .containsExactlyInAnyOrder(3, 2);
        assertThat(a.semaphore(name, 5).tryAcquire()).isEmpty();
        three.release();
        assertThat(a.semaphore(name, 5).tryAcquire(3)).get().satisfies(FencedLease::release);
        two.release();
        awaitEntries(LeaseKind.SEMAPHORE, name, 0);
    }

    @Test
    void semaphoreIsFifoALargeRequestAtTheHeadBlocksLaterSmallOnes() throws Exception {
        String name = name("semfifo");
        Baton a = client();
        Baton b = client();
        Baton c = client();
        FencedLease three = a.semaphore(name, 4).acquire(3, PATIENCE);
        CompletableFuture<FencedLease> big = b.semaphore(name, 4).acquireAsync(4, PATIENCE);
        awaitWaiters(a, name, 1);
        CompletableFuture<FencedLease> small = c.semaphore(name, 4).acquireAsync(1, PATIENCE);
        awaitWaiters(a, name, 2);
        // One permit is free, but the small request queued behind the big one waits.
        assertThat(holderIds(a, name)).containsExactly(a.clientId());
        assertThat(c.semaphore(name, 4).tryAcquire()).isEmpty();

        three.release();
        FencedLease four = big.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(four.permits()).isEqualTo(4);
        assertThat(holderIds(a, name)).containsExactly(b.clientId());
        assertThat(small).isNotDone();
        four.release();
        small.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).release();
        awaitEntries(LeaseKind.SEMAPHORE, name, 0);
    }

    @Test
    void crashedSemaphoreHolderReturnsItsPermits() {
        String name = name("semcrash");
        Baton a = partitionableClient();
        Baton b = client();
        a.semaphore(name, 2).acquire(2, PATIENCE);
        assertThat(b.semaphore(name, 2).tryAcquire()).isEmpty();
        cutOff(a);
        long cutAt = System.nanoTime();
        FencedLease both = b.semaphore(name, 2).acquire(2, ttl().plus(PATIENCE));
        assertThat(Duration.ofNanos(System.nanoTime() - cutAt))
                .isLessThanOrEqualTo(ttl().plusSeconds(2));
        assertThat(both.permits()).isEqualTo(2);
        both.release();
    }
}
