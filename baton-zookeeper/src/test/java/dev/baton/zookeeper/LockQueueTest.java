package dev.baton.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.LeaseKind;
import dev.baton.spi.GrantRules;
import java.util.List;
import org.junit.jupiter.api.Test;

class LockQueueTest {
    private static final String P = "_c_0b6a4f5e-5a38-4c49-9a3e-2b1f0e6c9d11-";

    private static String entry(String body, long seq) {
        return P + body + String.format("%010d", seq);
    }

    @Test
    void ordersBySequenceNotByName() {
        List<LockQueue.Entry> sorted =
                LockQueue.parse(
                        List.of(
                                entry("write-", 7),
                                "_c_ffffffff-ffff-ffff-ffff-ffffffffffff-mutex-0000000002",
                                entry("read-", 3),
                                "not-an-entry"));
        assertThat(sorted).extracting(LockQueue.Entry::sequence).containsExactly(2L, 3L, 7L);
        assertThat(sorted)
                .extracting(LockQueue.Entry::kind)
                .containsExactly(LeaseKind.MUTEX, LeaseKind.READ, LeaseKind.WRITE);
    }

    @Test
    void mutexWaitsOnItsPredecessorOnly() {
        List<LockQueue.Entry> q =
                LockQueue.parse(
                        List.of(entry("mutex-", 1), entry("mutex-", 2), entry("mutex-", 3)));
        assertThat(LockQueue.decide(q, entry("mutex-", 1), 1).granted()).isTrue();
        assertThat(LockQueue.decide(q, entry("mutex-", 3), 1).watch())
                .isEqualTo(entry("mutex-", 2));
        assertThat(LockQueue.decide(q, entry("mutex-", 9), 1).missing()).isTrue();
    }

    @Test
    void readersShareUntilAWriterQueuesAndThenWaitOnTheNearestWriter() {
        List<LockQueue.Entry> q =
                LockQueue.parse(
                        List.of(
                                entry("read-", 1),
                                entry("read-", 2),
                                entry("write-", 3),
                                entry("read-", 4),
                                entry("write-", 5),
                                entry("read-", 6)));
        assertThat(LockQueue.decide(q, entry("read-", 2), 1).granted()).isTrue();
        assertThat(LockQueue.decide(q, entry("write-", 3), 1).watch()).isEqualTo(entry("read-", 2));
        assertThat(LockQueue.decide(q, entry("read-", 4), 1).watch()).isEqualTo(entry("write-", 3));
        assertThat(LockQueue.decide(q, entry("read-", 6), 1).watch()).isEqualTo(entry("write-", 5));
        assertThat(GrantRules.granted(q, 0, 1)).isTrue();
        assertThat(GrantRules.granted(q, 1, 1)).isTrue();
        assertThat(GrantRules.granted(q, 2, 1)).isFalse();
        assertThat(GrantRules.granted(q, 3, 1)).isFalse();
    }

    @Test
    void semaphoreIsStrictFifoOnPermits() {
        List<LockQueue.Entry> q =
                LockQueue.parse(
                        List.of(entry("sem-3-", 1), entry("sem-2-", 2), entry("sem-1-", 3)));
        assertThat(LockQueue.decide(q, entry("sem-3-", 1), 4).granted()).isTrue();
        // 3 + 2 > 4: the second waits, and the third, which would fit alone, waits behind it.
        assertThat(LockQueue.decide(q, entry("sem-2-", 2), 4).granted()).isFalse();
        assertThat(LockQueue.decide(q, entry("sem-1-", 3), 4).granted()).isFalse();
        assertThat(LockQueue.decide(q, entry("sem-1-", 3), 6).granted()).isTrue();
    }

    @Test
    void anUnknownEntryIsExclusiveAndTakesEveryPermit() {
        List<LockQueue.Entry> q =
                LockQueue.parse(
                        List.of(entry("mystery-", 1), entry("read-", 2), entry("sem-1-", 3)));
        assertThat(q.get(0).kind()).isNull();
        assertThat(LockQueue.decide(q, entry("read-", 2), 1).granted()).isFalse();
        assertThat(LockQueue.decide(q, entry("sem-1-", 3), 100).granted()).isFalse();
    }

    @Test
    void payloadRoundTripsAndToleratesGarbage() {
        LockQueue.Payload p = new LockQueue.Payload("42@host#ab", LeaseKind.SEMAPHORE, 2, 5);
        assertThat(LockQueue.Payload.decode(p.encode())).isEqualTo(p);
        LockQueue.Payload junk = LockQueue.Payload.decode("kind=NOPE\npermits=x\nfoo".getBytes());
        assertThat(junk.kind()).isNull();
        assertThat(junk.permits()).isEqualTo(-1);
        assertThat(junk.clientId()).isNull();
    }
}
