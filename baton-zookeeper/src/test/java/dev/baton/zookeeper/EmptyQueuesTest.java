package dev.baton.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The bookkeeping of {@link EmptyQueues}; the proof itself is tested against a server. */
class EmptyQueuesTest {
    private static final String DIR = "/baton/mutex/job";
    private static final String ENTRY = DIR + "/_c_x-mutex-0000000007";
    private static final EmptyQueues.Empty AFTER = new EmptyQueues.Empty(42, 8);

    @Test
    void aGrantSeenAloneIsRecordedOnlyOnceItsDeleteIsConfirmed() {
        EmptyQueues q = new EmptyQueues();
        q.heldAlone(ENTRY, AFTER);
        assertThat(q.take(DIR)).as("still held: its own entry is in line").isNull();
        q.deleted(ENTRY);
        assertThat(q.take(DIR)).isEqualTo(AFTER);
        assertThat(q.take(DIR)).as("handed to one acquire only").isNull();
    }

    @Test
    void aDeleteThatFailedRecordsNothing() {
        EmptyQueues q = new EmptyQueues();
        q.heldAlone(ENTRY, AFTER);
        q.forget(ENTRY);
        q.deleted(ENTRY);
        assertThat(q.take(DIR)).isNull();
    }

    @Test
    void aDeleteOfAnEntryNotSeenAloneRecordsNothing() {
        EmptyQueues q = new EmptyQueues();
        q.deleted(ENTRY);
        assertThat(q.take(DIR)).isNull();
    }

    @Test
    void missesBackOffDoublingUpToTheLimitAndAHitEndsIt() {
        EmptyQueues q = new EmptyQueues();
        int expected = 1;
        for (int round = 0; round < 9; round++) {
            q.missed(DIR);
            assertThat(skipped(q)).as("round %d", round).isEqualTo(expected);
            expected = Math.min(2 * expected, EmptyQueues.MAX_SKIP);
        }
        q.hit(DIR);
        assertThat(skipped(q)).isZero();
    }

    /** How many acquires, each with a record, are told to list before one may use its record. */
    private static int skipped(EmptyQueues q) {
        for (int n = 0; n <= EmptyQueues.MAX_SKIP; n++) {
            q.heldAlone(ENTRY, AFTER);
            q.deleted(ENTRY);
            if (q.take(DIR) != null) {
                return n;
            }
        }
        throw new AssertionError("no record handed out after " + EmptyQueues.MAX_SKIP + " skips");
    }

    @Test
    void atMostMaxQueuesAreRemembered() {
        EmptyQueues q = new EmptyQueues();
        for (int i = 0; i <= EmptyQueues.MAX_QUEUES; i++) {
            q.heldAlone("/d" + i + "/e", AFTER);
            q.deleted("/d" + i + "/e");
        }
        assertThat(q.take("/d0")).as("the eldest is out").isNull();
        assertThat(q.take("/d" + EmptyQueues.MAX_QUEUES)).isEqualTo(AFTER);
    }
}
