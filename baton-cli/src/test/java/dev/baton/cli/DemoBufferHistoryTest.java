package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.cli.DemoBufferHistory.Op;
import dev.baton.cli.DemoProtocol.Message;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The buffer demo's checkers: each rule is shown a history it must accept and one it must reject.
 */
class DemoBufferHistoryTest {
    private static final long BOUND = 7_000_000; // µs: a 5s session timeout + 2s

    /**
     * p1 puts a; c1 takes it; c1 waits on not-empty; p1 puts b and signals; c1 wakes 50µs later and
     * takes b. 22 requests for 2 items.
     */
    private static DemoBufferHistory clean() {
        DemoBufferHistory h = new DemoBufferHistory();
        h.write("p1", Op.PUT, "a", List.of("a"), 1, 10, 100);
        h.write("c1", Op.TOOK, "a", List.of(), 2, 11, 200);
        h.waitStarted("c1", "not-empty", 300);
        h.write("p1", Op.PUT, "b", List.of("b"), 3, 12, 400);
        h.end("c1", 450, "signal");
        h.write("c1", Op.TOOK, "b", List.of(), 4, 13, 460);
        h.requests("p1", 10);
        h.requests("c1", 12);
        return h;
    }

    private static Message message(String line) {
        return (Message) DemoProtocol.parse(line);
    }

    @Test
    void acceptsACleanHistory() {
        DemoBufferHistory h = clean();
        h.engineFinal(new DemoBuffer(13, 2, 2, List.of()));
        assertThat(h.items().ok()).isTrue();
        assertThat(h.items().produced()).isEqualTo(2);
        assertThat(h.buffer().problems()).isEmpty();
        assertThat(h.buffer().maxSize()).isEqualTo(1);
        DemoBufferHistory.SleepCheck sleep = h.sleep(BOUND, 1_000);
        assertThat(sleep.ok()).isTrue();
        assertThat(sleep.longest().heldMicros()).isEqualTo(50); // b put at 400, c1 woke at 450
        assertThat(h.requests(20).perItem()).isEqualTo(11.0);
        assertThat(h.requests(20).ok()).isTrue();
    }

    @Test
    void rejectsAnItemTakenTwice() {
        DemoBufferHistory h = clean();
        h.write("c2", Op.TOOK, "b", List.of(), 5, 14, 470);
        assertThat(h.items().ok()).isFalse();
        assertThat(h.items().duplicated()).containsExactly("b taken twice");
        assertThat(h.buffer().problems())
                .anySatisfy(p -> assertThat(p).contains("took from an empty buffer"));
    }

    @Test
    void rejectsAnItemProducedTwice() {
        DemoBufferHistory h = clean();
        h.write("p2", Op.PUT, "a", List.of("a"), 5, 14, 470);
        h.write("c1", Op.TOOK, "a", List.of(), 6, 15, 480);
        assertThat(h.items().duplicated()).contains("a produced twice", "a taken twice");
    }

    @Test
    void rejectsALostItem() {
        DemoBufferHistory h = clean();
        h.write("p1", Op.PUT, "c", List.of("c"), 5, 14, 470);
        assertThat(h.items().ok()).isFalse();
        assertThat(h.items().lost()).containsExactly("c");
        assertThat(h.buffer().ok()).as("the buffer itself is fine").isTrue();
    }

    @Test
    void rejectsATakenItemThatWasNeverProduced() {
        DemoBufferHistory h = clean();
        h.write("c1", Op.TOOK, "z", List.of(), 5, 14, 470);
        assertThat(h.items().unknown()).containsExactly("z");
        assertThat(h.buffer().problems())
                .anySatisfy(p -> assertThat(p).contains("took from an empty buffer (size -1)"));
    }

    @Test
    void anItemTakenByAConsumerKilledAfterwardsCountsAsTaken() {
        DemoBufferHistory h = clean();
        h.write("p1", Op.PUT, "c", List.of("c"), 5, 14, 470);
        h.write("c2", Op.TOOK, "c", List.of(), 6, 15, 480);
        h.end("c2", 490, "killed"); // killed while holding the monitor after its take
        assertThat(h.items().ok()).isTrue();
        assertThat(h.items().taken()).isEqualTo(3);
    }

    @Test
    void rejectsMoreThanTheCapacity() {
        DemoBufferHistory h = new DemoBufferHistory();
        List<String> items = new java.util.ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            items.add("p1-" + i);
            h.write("p1", Op.PUT, "p1-" + i, items, i, i, i * 100L);
        }
        DemoBufferHistory.BufferCheck b = h.buffer();
        assertThat(b.ok()).isFalse();
        assertThat(b.maxSize()).isEqualTo(5);
        assertThat(b.problems())
                .singleElement()
                .satisfies(p -> assertThat(p).contains("left 5 items, over the capacity 4"));
    }

    @Test
    void fourItemsAreWithinTheCapacity() {
        DemoBufferHistory h = new DemoBufferHistory();
        List<String> items = new java.util.ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            items.add("p1-" + i);
            h.write("p1", Op.PUT, "p1-" + i, items, i, i, i * 100L);
        }
        assertThat(h.buffer().problems()).isEmpty();
        assertThat(h.buffer().maxSize()).isEqualTo(4);
    }

    @Test
    void rejectsAWriteWhoseContentsDoNotReplay() {
        DemoBufferHistory h = clean();
        h.write("p1", Op.PUT, "c", List.of("x", "c"), 5, 14, 470); // an "x" appeared from nowhere
        assertThat(h.buffer().problems())
                .singleElement()
                .satisfies(p -> assertThat(p).contains("reported [x, c], but the replay has [c]"));
    }

    @Test
    void rejectsATakeOfAnItemThatIsNotTheOldest() {
        DemoBufferHistory h = clean();
        h.write("p1", Op.PUT, "c", List.of("c"), 5, 14, 470);
        h.write("p2", Op.PUT, "d", List.of("c", "d"), 6, 15, 480);
        h.write("c1", Op.TOOK, "d", List.of("c"), 7, 16, 490);
        assertThat(h.buffer().problems())
                .singleElement()
                .satisfies(p -> assertThat(p).contains("is not the oldest item, c"));
    }

    @Test
    void rejectsATokenThatDidNotIncrease() {
        DemoBufferHistory h = clean();
        h.write("p1", Op.PUT, "c", List.of("c"), 5, 13, 470); // token 13 again
        h.write("c1", Op.TOOK, "c", List.of(), 6, 14, 480);
        assertThat(h.buffer().problems())
                .singleElement()
                .satisfies(p -> assertThat(p).contains("under token 13, not above 13"));
    }

    @Test
    void rejectsStaleAndConflictingWrites() {
        DemoBufferHistory h = clean();
        h.record("c2", message(DemoProtocol.stale(9, 13)));
        h.record("p2", message(DemoProtocol.conflict(14)));
        assertThat(h.buffer().problems())
                .containsExactly(
                        "1 writes refused: the buffer had a newer token than the writer",
                        "1 writes lost a compare-and-set inside the monitor");
    }

    @Test
    void rejectsAnEngineValueThatDisagreesWithTheReports() {
        DemoBufferHistory h = clean();
        h.engineFinal(new DemoBuffer(14, 3, 2, List.of("c"))); // a put nobody reported
        assertThat(h.buffer().problems())
                .singleElement()
                .satisfies(p -> assertThat(p).contains("disagrees with the reports"));
    }

    @Test
    void rejectsAWaiterAsleepPastTheBoundWhileItsConditionHeld() {
        DemoBufferHistory h = clean();
        h.waitStarted("c1", "not-empty", 1_000);
        h.write("p1", Op.PUT, "c", List.of("c"), 5, 14, 2_000);
        h.end("c1", 2_000 + BOUND + 1, "timeout"); // the signal was lost, nobody else took c
        h.write("c1", Op.TOOK, "c", List.of(), 6, 15, 2_000 + BOUND + 10);
        DemoBufferHistory.SleepCheck sleep = h.sleep(BOUND, 20_000_000);
        assertThat(sleep.ok()).isFalse();
        assertThat(sleep.violations())
                .singleElement()
                .satisfies(
                        s -> {
                            assertThat(s.during().process()).isEqualTo("c1");
                            assertThat(s.heldMicros()).isEqualTo(BOUND + 1);
                        });
    }

    @Test
    void aLongWaitWhileTheConditionDidNotHoldIsFine() {
        DemoBufferHistory h = clean();
        h.waitStarted("c1", "not-empty", 1_000);
        h.end("c1", 1_000 + 3 * BOUND, "timeout"); // nothing to take all along
        assertThat(h.sleep(BOUND, 100_000_000).ok()).isTrue();
    }

    @Test
    void theConditionHoldingInStretchesCountsTheLongestStretch() {
        DemoBufferHistory h = new DemoBufferHistory();
        List<String> full = List.of("a", "b", "c", "d");
        for (int i = 0; i < 4; i++) {
            h.write("p1", Op.PUT, full.get(i), full.subList(0, i + 1), i + 1, i + 1, i);
        }
        h.waitStarted("p2", "not-full", 10);
        h.write("c1", Op.TOOK, "a", List.of("b", "c", "d"), 5, 5, 1_000); // not full: 1000..3000
        h.write("p1", Op.PUT, "e", List.of("b", "c", "d", "e"), 6, 6, 3_000); // full again
        h.write("c1", Op.TOOK, "b", List.of("c", "d", "e"), 7, 7, 10_000); // not full: 10000..
        h.end("p2", 10_500, "signal");
        assertThat(h.sleep(BOUND, 20_000).longest().heldMicros()).isEqualTo(2_000);
        assertThat(h.sleep(1_999, 20_000).ok()).isFalse();
    }

    @Test
    void aWaitStillOpenCountsUntilNow() {
        DemoBufferHistory h = clean();
        h.waitStarted("c2", "not-empty", 1_000);
        h.write("p1", Op.PUT, "c", List.of("c"), 5, 14, 2_000);
        assertThat(h.sleep(BOUND, 2_000 + BOUND + 5).ok()).isFalse();
        assertThat(h.sleep(BOUND, 2_000 + BOUND).ok()).isTrue();
    }

    @Test
    void aKilledWaitersWaitEndsAtTheKill() {
        DemoBufferHistory h = clean();
        h.waitStarted("c2", "not-empty", 1_000);
        h.end("c2", 1_500, "killed");
        h.write("p1", Op.PUT, "c", List.of("c"), 5, 14, 2_000);
        h.write("c1", Op.TOOK, "c", List.of(), 6, 15, 2_000 + BOUND * 2);
        assertThat(h.sleep(BOUND, 100_000_000).ok()).isTrue();
    }

    @Test
    void rejectsTooManyRequestsPerItem() {
        DemoBufferHistory h = clean();
        h.requests("c1", 60); // a consumer that polled: 70 requests for 2 items
        DemoBufferHistory.RequestsCheck r = h.requests(20);
        assertThat(r.perItem()).isEqualTo(35.0);
        assertThat(r.ok()).isFalse();
        assertThat(r.byProcess()).containsEntry("c1", 60L).containsEntry("p1", 10L);
    }

    @Test
    void requestCountsOnlyGrow() {
        DemoBufferHistory h = clean();
        h.requests("c1", 5); // an older report arriving late changes nothing
        assertThat(h.requests(20).requests()).isEqualTo(22);
    }

    @Test
    void recordsTheEventsTheNodesWrite() {
        DemoBufferHistory h = new DemoBufferHistory();
        h.record("p1", message(DemoProtocol.put("p1-1", "p1-1", 1, 7, 40, 5)));
        h.record("c1", message(DemoProtocol.bufferWait("not-empty", 0, 41, 3)));
        assertThat(h.waiting("c1", "not-empty")).isTrue();
        h.record("c1", message(DemoProtocol.woken("not-empty", true, 44, 4)));
        assertThat(h.waiting("c1", "not-empty")).isFalse();
        h.record("c1", message(DemoProtocol.took("p1-1", "", 0, 8, 44, 7)));
        h.record("p1", message(DemoProtocol.stopped(9)));
        assertThat(h.writes())
                .extracting(DemoBufferHistory.Write::item, DemoBufferHistory.Write::buffer)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("p1-1", List.of("p1-1")),
                        org.assertj.core.groups.Tuple.tuple("p1-1", List.of()));
        assertThat(h.waits())
                .singleElement()
                .satisfies(w -> assertThat(w.end()).isEqualTo("signal"));
        assertThat(h.requests(20).requests()).isEqualTo(16);
        assertThat(h.items().ok()).isTrue();
    }

    // ---- the buffer's stored form ----

    @Test
    void theBufferValueRoundTrips() {
        DemoBuffer b = DemoBuffer.EMPTY.put("p1-1", 5).put("p2-1", 6).take(7);
        assertThat(b.format()).isEqualTo("token=7 puts=2 takes=1 items=p2-1");
        assertThat(DemoBuffer.parse(b.format())).isEqualTo(b);
        assertThat(DemoBuffer.parse(DemoBuffer.EMPTY.format())).isEqualTo(DemoBuffer.EMPTY);
    }

    @Test
    void theBufferRefusesAnOlderToken() {
        DemoBuffer b = DemoBuffer.EMPTY.put("p1-1", 5);
        assertThat(b.refuses(4)).isTrue();
        assertThat(b.refuses(5)).isFalse();
        assertThat(b.refuses(6)).isFalse();
    }

    @Test
    void theBufferCannotOverflowOrUnderflow() {
        DemoBuffer full = DemoBuffer.EMPTY.put("a", 1).put("b", 2).put("c", 3).put("d", 4);
        assertThat(full.full()).isTrue();
        assertThatThrownBy(() -> full.put("e", 5)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> DemoBuffer.EMPTY.take(1))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aValueThatIsNotABufferIsRejectedByName() {
        assertThatThrownBy(() -> DemoBuffer.parse("100 reserve"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("100 reserve");
        assertThatThrownBy(() -> DemoBuffer.parse("token=x puts=0 takes=0 items="))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token=x");
        assertThatThrownBy(() -> DemoBuffer.parse("token=1 puts=5 takes=0 items=a,b,c,d,e"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 4");
    }
}
