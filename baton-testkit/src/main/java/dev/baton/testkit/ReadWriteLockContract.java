package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.LeaseKind;
import dev.baton.ReadWriteLock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The read-write lock: readers share, writers exclude, a queued writer blocks later readers, and
 * write tokens rise under concurrency.
 */
abstract class ReadWriteLockContract extends ContractBase {

    @Test
    void readersShareWritersExcludeAndAQueuedWriterBlocksLaterReaders() throws Exception {
        String name = name("rw");
        Baton a = client();
        Baton b = client();
        Baton c = client();
        List<FencedLease> readers = new ArrayList<>();
        for (Baton x : List.of(a, b, c)) {
            readers.add(x.readWriteLock(name).readLock().tryAcquire().orElseThrow());
        }
        assertThat(a.inspect(name).orElseThrow().holders()).hasSize(3);
        assertThat(a.readWriteLock(name).writeLock().tryAcquire()).isEmpty();

        CompletableFuture<FencedLease> writer =
                a.readWriteLock(name).writeLock().acquireAsync(PATIENCE);
        awaitWaiters(a, name, 1);
        // Writer preference: a reader arriving after the queued writer waits.
        assertThat(b.readWriteLock(name).readLock().tryAcquire()).isEmpty();
        CompletableFuture<FencedLease> lateReader =
                b.readWriteLock(name).readLock().acquireAsync(PATIENCE);
        awaitWaiters(a, name, 2);

        readers.forEach(FencedLease::release);
        FencedLease w = writer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(w.kind()).isEqualTo(LeaseKind.WRITE);
        assertThat(holderIds(a, name)).containsExactly(a.clientId());
        assertThat(lateReader).isNotDone();
        assertThat(c.readWriteLock(name).readLock().tryAcquire()).isEmpty();
        assertThat(c.readWriteLock(name).writeLock().tryAcquire()).isEmpty();
        w.release();
        FencedLease r = lateReader.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(r.kind()).isEqualTo(LeaseKind.READ);
        r.release();
        awaitEntries(LeaseKind.WRITE, name, 0);
        awaitEntries(LeaseKind.READ, name, 0);
    }

    @Test
    void readWriteLockExcludesUnderConcurrencyWithRisingWriteTokens() {
        String name = name("rwfuzz");
        List<ReadWriteLock> locks =
                List.of(client().readWriteLock(name), client().readWriteLock(name));
        AtomicInteger readersInside = new AtomicInteger();
        AtomicInteger writersInside = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        AtomicInteger maxReaders = new AtomicInteger();
        FencedRegister writes = new FencedRegister();
        concurrently(
                6,
                i -> {
                    ReadWriteLock rw = locks.get(i % locks.size());
                    for (int c = 0; c < 20; c++) {
                        boolean write = (i + c) % 3 == 0;
                        if (write) {
                            try (FencedLease lease = rw.writeLock().acquire(PATIENCE)) {
                                if (writersInside.incrementAndGet() != 1
                                        || readersInside.get() != 0) {
                                    violations.incrementAndGet();
                                }
                                writes.write(lease.fencingToken(), lease.holder());
                                Thread.yield();
                                if (readersInside.get() != 0) {
                                    violations.incrementAndGet();
                                }
                                writersInside.decrementAndGet();
                            }
                        } else {
                            try (FencedLease lease = rw.readLock().acquire(PATIENCE)) {
                                lease.ensureValid();
                                maxReaders.accumulateAndGet(
                                        readersInside.incrementAndGet(), Math::max);
                                if (writersInside.get() != 0) {
                                    violations.incrementAndGet();
                                }
                                Thread.yield();
                                readersInside.decrementAndGet();
                            }
                        }
                    }
                });
        assertThat(violations).hasValue(0);
        assertThat(maxReaders.get()).as("readers ran").isPositive();
        assertThat(writes.rejected()).as("write tokens out of order").isEmpty();
        assertThat(writes.accepted()).isEqualTo(40);
        awaitEntries(LeaseKind.WRITE, name, 0);
    }
}
