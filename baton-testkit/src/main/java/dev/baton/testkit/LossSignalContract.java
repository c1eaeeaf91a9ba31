package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FencedLease;
import dev.baton.LeaseInvalidException;
import dev.baton.LeaseKind;
import dev.baton.LeaseLoss;
import dev.baton.LeaseLostException;
import dev.baton.LeaseState;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The loss signal: a holder cut off from the engine learns of its loss before anyone else is
 * granted, a crashed holder frees the lock within its TTL, and a short partition makes a lease
 * IN_DOUBT, then HELD again.
 */
abstract class LossSignalContract extends ContractBase {

    /**
     * A cut-off holder learns of its loss before the engine grants the lock to anyone else, on
     * Baton's callback executor; afterwards the lease is LOST for good and nothing of it remains.
     */
    @Test
    void lossSignalReachesTheHolderBeforeAnotherClientIsGranted() throws Exception {
        String name = name("loss");
        Baton a = partitionableClient();
        Baton b = client();
        FencedLease lease = a.mutex(name).acquire(PATIENCE);
        AtomicLong lostAt = new AtomicLong();
        AtomicReference<String> callbackThread = new AtomicReference<>();
        AtomicReference<LeaseLoss> loss = new AtomicReference<>();
        lease.lost()
                .thenAccept(
                        l -> {
                            lostAt.set(System.nanoTime());
                            callbackThread.set(Thread.currentThread().getName());
                            loss.set(l);
                        });

        cutOff(a);
        long cutAt = System.nanoTime();
        FencedLease next = b.mutex(name).acquire(ttl().plus(PATIENCE));
        long acquiredAt = System.nanoTime();

        assertThat(lostAt.get()).as("loss signalled").isNotZero();
        assertThat(lostAt.get() - acquiredAt)
                .as("loss signalled before the next grant")
                .isNegative();
        assertThat(callbackThread.get()).as("callback thread").startsWith("baton-worker-");
        assertThat(Duration.ofNanos(acquiredAt - cutAt))
                .as("next grant within TTL + 2 s")
                .isLessThanOrEqualTo(ttl().plusSeconds(2));
        assertThat(next.fencingToken()).isGreaterThan(lease.fencingToken());
        assertThat(lease.state()).isEqualTo(LeaseState.LOST);
        assertThat(loss.get().reason()).isNotEqualTo(LeaseLoss.Reason.CLIENT_CLOSED);
        assertThatThrownBy(lease::ensureValid).isInstanceOf(LeaseLostException.class);
        assertThat(lease.release()).as("releasing a lost lease is a no-op").isFalse();

        reconnect(a);
        awaitEntries(LeaseKind.MUTEX, name, 1); // only b's grant
        assertThat(holderIds(b, name)).containsExactly(b.clientId());
        assertThat(lease.state()).as("a lost lease stays lost").isEqualTo(LeaseState.LOST);
        next.release();
        awaitEntries(LeaseKind.MUTEX, name, 0);
    }

    @Test
    void crashedHolderFreesTheLockWithinItsTtl() {
        String name = name("crash");
        Baton a = partitionableClient();
        Baton b = client();
        a.mutex(name).acquire(PATIENCE);
        cutOff(a); // never healed during the test: the holder is gone for good
        long cutAt = System.nanoTime();
        FencedLease next = b.mutex(name).acquire(ttl().plus(PATIENCE));
        assertThat(Duration.ofNanos(System.nanoTime() - cutAt))
                .isLessThanOrEqualTo(ttl().plusSeconds(2));
        assertThat(holderIds(b, name)).containsExactly(b.clientId());
        next.release();
    }

    /**
     * A partition shorter than the lease deadline: the lease goes IN_DOUBT when a renewal fails,
     * and back to HELD once healed; nobody else is granted meanwhile. A longer TTL (9 s) leaves
     * seconds of room between the first failed renewal and the deadline.
     */
    @Test
    void shortPartitionMakesTheLeaseInDoubtThenHeldAgain() throws Exception {
        BatonConfig cfg =
                BatonConfig.custom()
                        .leaseTtl(Duration.ofSeconds(9))
                        .safetyMargin(Duration.ofMillis(1500))
                        .build();
        String name = name("doubt");
        Baton a = partitionableClient(cfg);
        Baton b = client();
        FencedLease lease = a.mutex(name).acquire(PATIENCE);
        CompletableFuture<FencedLease> waiting =
                b.mutex(name).acquireAsync(PATIENCE.plus(PATIENCE));
        awaitWaiters(b, name, 1);

        cutOff(a);
        waitUntil("lease IN_DOUBT")
                .atMost(cfg.leaseTtl())
                .until(
                        () -> {
                            LeaseState s = lease.state();
                            assertThat(s)
                                    .as("not lost during a short partition")
                                    .isNotEqualTo(LeaseState.LOST);
                            return s == LeaseState.IN_DOUBT;
                        });
        assertThatThrownBy(lease::ensureValid)
                .isExactlyInstanceOf(LeaseInvalidException.class)
                .extracting(e -> ((LeaseInvalidException) e).state())
                .isEqualTo(LeaseState.IN_DOUBT);
        reconnect(a);
        waitUntil("lease HELD again").until(() -> lease.state() == LeaseState.HELD);
        lease.ensureValid();

        assertThat(waiting).as("nobody else granted").isNotDone();
        assertThat(holderIds(b, name)).containsExactly(a.clientId());
        lease.release();
        FencedLease next = waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(next.fencingToken()).isGreaterThan(lease.fencingToken());
        next.release();
    }
}
