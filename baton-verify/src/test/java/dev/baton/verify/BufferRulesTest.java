package dev.baton.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.InvalidArgumentException;
import dev.baton.verify.HistoryEvent.Op;
import dev.baton.verify.HistoryEvent.Type;
import dev.baton.verify.Violation.Kind;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Each buffer rule with histories it must reject and one it must accept. */
class BufferRulesTest {
    private static final String B = "buf";
    private static final BufferRules.Bounds BOUNDS =
            new BufferRules.Bounds(4, Duration.ofSeconds(9), Duration.ofSeconds(4));

    private static java.util.List<Violation> only(BufferRules.Result r, Kind kind) {
        return r.violations().stream().filter(v -> v.kind() == kind).toList();
    }

    /** Buffer steps over {@link H}'s clock (milliseconds). */
    private static final class BH {
        final H h = new H();

        BH put(double ms, String p, long token, String item, long sizeAfter) {
            HistoryEvent invoke =
                    HistoryEvent.of(H.ns(ms), p, Type.INVOKE, Op.PUT, B)
                            .withToken(token)
                            .withItem(item);
            h.add(invoke);
            h.add(invoke.withNanos(H.ns(ms + 1)).withType(Type.OK).withValue(sizeAfter));
            return this;
        }

        BH take(double ms, String p, long token, String item, long sizeAfter) {
            HistoryEvent invoke =
                    HistoryEvent.of(H.ns(ms), p, Type.INVOKE, Op.TAKE, B)
                            .withToken(token)
                            .withItem(item);
            h.add(invoke);
            h.add(invoke.withNanos(H.ns(ms + 1)).withType(Type.OK).withValue(sizeAfter));
            return this;
        }

        BH add(HistoryEvent e) {
            h.add(e);
            return this;
        }

        BH finalBuffer(double ms, String items) {
            h.add(
                    HistoryEvent.of(H.ns(ms), Checker.FINAL_READ, Type.OK, Op.READ, B)
                            .withItem(items));
            return this;
        }

        BH await(double ms, String p, String cond, long token, long timeoutMs) {
            h.add(
                    HistoryEvent.of(H.ns(ms), p, Type.INVOKE, Op.AWAIT, B)
                            .withToken(token)
                            .withCondition(cond)
                            .withValue(timeoutMs));
            return this;
        }

        BH woken(double ms, String p, String cond, long newToken, boolean signalled) {
            h.add(
                    HistoryEvent.of(H.ns(ms), p, Type.OK, Op.AWAIT, B)
                            .withToken(newToken)
                            .withCondition(cond)
                            .withValue(signalled ? 1L : 0L));
            return this;
        }

        BH signal(double ms, String p, String cond, long token, long found) {
            h.add(
                    HistoryEvent.of(H.ns(ms), p, Type.OK, Op.SIGNAL, B)
                            .withToken(token)
                            .withCondition(cond)
                            .withValue(found));
            return this;
        }

        BH event(double ms, String p, Type type, Op op) {
            h.add(HistoryEvent.of(H.ns(ms), p, type, op, null));
            return this;
        }

        BufferRules.Result check() {
            return BufferRules.check(h.history(), BOUNDS);
        }
    }

    @Test
    void boundsRejectANonPositiveCapacityNamingIt() {
        assertThatThrownBy(() -> new BufferRules.Bounds(0, Duration.ofSeconds(1), Duration.ZERO))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("capacity")
                .hasMessageContaining("0");
    }

    @Nested
    class Capacity {
        @Test
        void aPutBeyondCapacityIsFlagged() {
            BufferRules.Result r = new BH().put(0, "p", 1, "a", 4).put(10, "p", 2, "b", 5).check();

            assertThat(only(r, Kind.CAPACITY)).hasSize(1);
            assertThat(r.violations().get(0).explanation()).contains("5 items", "capacity 4");
        }

        @Test
        void aTakeFromAnEmptyBufferIsFlagged() {
            HistoryEvent invoke =
                    HistoryEvent.of(H.ns(0), "c", Type.INVOKE, Op.TAKE, B)
                            .withToken(3)
                            .withItem("a");
            BufferRules.Result r =
                    new BH()
                            .add(invoke)
                            .add(invoke.withNanos(H.ns(1)).withType(Type.FAIL).withValue(0L))
                            .check();

            assertThat(only(r, Kind.CAPACITY)).hasSize(1);
            assertThat(r.violations().get(0).explanation()).contains("fewer than 0");
        }

        @Test
        void aBufferFilledToCapacityAndEmptiedPasses() {
            BufferRules.Result r =
                    new BH()
                            .put(0, "p", 1, "a", 1)
                            .put(10, "p", 2, "b", 2)
                            .put(20, "p", 3, "c", 3)
                            .put(30, "p", 4, "d", 4)
                            .take(40, "c", 5, "a", 3)
                            .take(50, "c", 6, "b", 2)
                            .finalBuffer(60, "c,d")
                            .check();

            assertThat(r.violations()).isEmpty();
            assertThat(r.stats().maxSize()).isEqualTo(4);
            assertThat(r.stats().puts()).isEqualTo(4);
            assertThat(r.stats().takes()).isEqualTo(2);
            assertThat(r.stats().finalSize()).isEqualTo(2);
        }
    }

    @Nested
    class Items {
        @Test
        void anItemTakenTwiceIsFlagged() {
            BufferRules.Result r =
                    new BH()
                            .put(0, "p", 1, "a", 1)
                            .take(10, "c1", 2, "a", 0)
                            .take(20, "c2", 3, "a", 0)
                            .finalBuffer(30, "")
                            .check();

            assertThat(only(r, Kind.ITEM_DUPLICATED)).hasSize(1);
            assertThat(only(r, Kind.ITEM_DUPLICATED).get(0).explanation())
                    .contains("'a' was taken 2 times");
        }

        @Test
        void anItemTakenAndStillInTheBufferOrNeverPutIsFlagged() {
            BufferRules.Result r =
                    new BH()
                            .put(0, "p", 1, "a", 1)
                            .take(10, "c", 2, "a", 0)
                            .take(20, "c", 3, "ghost", 0)
                            .finalBuffer(30, "a")
                            .check();

            assertThat(only(r, Kind.ITEM_DUPLICATED))
                    .extracting(Violation::explanation)
                    .anyMatch(x -> x.contains("'a' was taken and is still in the buffer"))
                    .anyMatch(x -> x.contains("'ghost' was taken but never put"));
        }

        @Test
        void anAcknowledgedItemNeitherTakenNorLeftIsLost() {
            BufferRules.Result r =
                    new BH()
                            .put(0, "p", 1, "a", 1)
                            .put(10, "p", 2, "b", 2)
                            .take(20, "c", 3, "a", 1)
                            .finalBuffer(30, "")
                            .check();

            assertThat(only(r, Kind.ITEM_LOST)).hasSize(1);
            assertThat(only(r, Kind.ITEM_LOST).get(0).explanation()).contains("'b'");
        }

        @Test
        void anItemTakenByAClientThatDiedCountsAsTakenEitherWay() {
            // c invoked the take of 'b' and was killed before it heard back: gone or still there.
            BH base =
                    new BH()
                            .put(0, "p", 1, "a", 1)
                            .put(10, "p", 2, "b", 2)
                            .take(20, "c", 3, "a", 1)
                            .add(
                                    HistoryEvent.of(H.ns(30), "c", Type.INVOKE, Op.TAKE, B)
                                            .withToken(4)
                                            .withItem("b"))
                            .event(31, "c", Type.OK, Op.KILL);
            BufferRules.Result reached = base.finalBuffer(40, "").check();
            assertThat(reached.violations()).isEmpty();

            BufferRules.Result notReached =
                    new BH()
                            .put(0, "p", 1, "a", 1)
                            .put(10, "p", 2, "b", 2)
                            .add(
                                    HistoryEvent.of(H.ns(30), "c", Type.INVOKE, Op.TAKE, B)
                                            .withToken(4)
                                            .withItem("a"))
                            .event(31, "c", Type.OK, Op.KILL)
                            .finalBuffer(40, "b")
                            .check();
            assertThat(notReached.violations()).isEmpty();
        }
    }

    @Nested
    class Fencing {
        @Test
        void aPutAcceptedWithATokenBelowAnEarlierTakeIsFlagged() {
            BufferRules.Result r =
                    new BH()
                            .put(0, "p", 5, "a", 1)
                            .take(10, "c", 7, "a", 0)
                            .put(20, "q", 6, "b", 1)
                            .finalBuffer(30, "b")
                            .check();

            assertThat(only(r, Kind.STALE_WRITE_ACCEPTED)).hasSize(1);
            assertThat(only(r, Kind.STALE_WRITE_ACCEPTED).get(0).explanation())
                    .contains("token 6", "token 7");
        }

        @Test
        void aStalePutThatTheStoreRefusedPasses() {
            HistoryEvent stale =
                    HistoryEvent.of(H.ns(20), "q", Type.INVOKE, Op.PUT, B)
                            .withToken(6)
                            .withItem("b");
            BufferRules.Result r =
                    new BH()
                            .put(0, "p", 5, "a", 1)
                            .take(10, "c", 7, "a", 0)
                            .add(stale)
                            .add(stale.withNanos(H.ns(21)).withType(Type.FAIL))
                            .finalBuffer(30, "")
                            .check();

            assertThat(r.violations()).isEmpty();
        }
    }

    @Nested
    class LostWakeup {
        @Test
        void aSignalThatFindsNoWaiterWhileOneWaitsIsFlagged() {
            // c gave the monitor up (token 5) for not-empty; p entered after it (token 6), put and
            // signalled, and the engine found nobody: the two-step await's race.
            BufferRules.Result r =
                    new BH()
                            .await(0, "c", "not-empty", 5, 14_000)
                            .put(100, "p", 6, "a", 1)
                            .signal(110, "p", "not-empty", 6, 0)
                            .woken(14_000, "c", "not-empty", 9, false)
                            .take(14_010, "c", 9, "a", 0)
                            .finalBuffer(15_000, "")
                            .check();

            assertThat(only(r, Kind.LOST_WAKEUP)).hasSize(1);
            assertThat(only(r, Kind.LOST_WAKEUP).get(0).explanation())
                    .contains("found no waiter", "c had been waiting");
        }

        @Test
        void aSignalThatFindsTheOldestWaiterWhichStaysAsleepPastTheBoundIsFlagged() {
            BufferRules.Result r =
                    new BH()
                            .await(0, "c", "not-empty", 5, 60_000)
                            .signal(110, "p", "not-empty", 6, 1)
                            .woken(10_000, "c", "not-empty", 9, true)
                            .finalBuffer(20_000, "")
                            .check();

            assertThat(only(r, Kind.LOST_WAKEUP)).hasSize(1);
            assertThat(only(r, Kind.LOST_WAKEUP).get(0).explanation())
                    .contains("still waiting", "bound 9000 ms");
        }

        @Test
        void aWaiterWokenByTheSignalWithinTheBoundPasses() {
            BufferRules.Result r =
                    new BH()
                            .await(0, "c", "not-empty", 5, 14_000)
                            .put(100, "p", 6, "a", 1)
                            .signal(110, "p", "not-empty", 6, 1)
                            .woken(300, "c", "not-empty", 7, true)
                            .take(310, "c", 7, "a", 0)
                            .finalBuffer(20_000, "")
                            .check();

            assertThat(r.violations()).isEmpty();
            assertThat(r.stats().wakeupsChecked()).isEqualTo(1);
            assertThat(r.stats().signalsFound()).isEqualTo(1);
        }

        @Test
        void aWaitAcrossAFaultOrPastItsTimeoutIsNotJudged() {
            // A kill during the wait: the waiter's session may have ended, the signal rightly
            // found nobody.
            BufferRules.Result killed =
                    new BH()
                            .await(0, "c", "not-empty", 5, 14_000)
                            .event(50, "c2", Type.OK, Op.KILL)
                            .signal(110, "p", "not-empty", 6, 0)
                            .finalBuffer(20_000, "")
                            .check();
            assertThat(killed.violations()).isEmpty();

            // The signal came after the waiter's own timeout had run out.
            BufferRules.Result timedOut =
                    new BH()
                            .await(0, "c", "not-empty", 5, 1_000)
                            .signal(1_500, "p", "not-empty", 6, 0)
                            .woken(1_600, "c", "not-empty", 7, false)
                            .finalBuffer(20_000, "")
                            .check();
            assertThat(timedOut.violations()).isEmpty();
        }

        @Test
        void aSignalOfTheMonitorsPreviousHolderIsNotForTheWaiter() {
            // The signal's token is below the wait's: it was sent before the waiter gave up.
            BufferRules.Result r =
                    new BH()
                            .signal(0, "p", "not-empty", 4, 0)
                            .await(10, "c", "not-empty", 5, 14_000)
                            .signal(100, "p", "not-empty", 6, 1)
                            .woken(200, "c", "not-empty", 7, true)
                            .finalBuffer(20_000, "")
                            .check();

            assertThat(r.violations()).isEmpty();
        }
    }
}
