package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo's checkers, each shown a history it must accept and one it must reject. */
class DemoHistoryTest {

    private static DemoHistory cleanFailover() {
        DemoHistory h = new DemoHistory();
        h.termStarted("s1", 10, 0);
        h.settle("s1", 1, 10, 100, 200);
        h.settle("s1", 2, 10, 2_000, 2_100);
        h.endTerm("s1", 3_000); // killed
        h.termStarted("s2", 17, 8_000);
        h.settle("s2", 3, 17, 8_100, 8_200);
        return h;
    }

    @Test
    void acceptsOneLeaderAtATimeWithIncreasingTokens() {
        DemoHistory h = cleanFailover();
        assertThat(h.settleOverlaps()).isZero();
        assertThat(h.termOverlaps()).isZero();
        assertThat(h.tokensIncreasing()).isTrue();
        assertThat(h.termTokens()).containsExactly(10L, 17L);
        assertThat(h.settlesBy("s1")).isEqualTo(2);
    }

    @Test
    void rejectsOverlappingSettlements() {
        DemoHistory h = cleanFailover();
        h.settle("s3", 4, 17, 8_150, 8_300); // s2 was settling 8_100..8_200
        assertThat(h.settleOverlaps()).isEqualTo(1);
    }

    @Test
    void rejectsOverlappingTerms() {
        DemoHistory h = cleanFailover();
        h.termStarted("s3", 20, 8_500); // s2's term is still open
        assertThat(h.termOverlaps()).isEqualTo(1);
    }

    @Test
    void aServersOwnConsecutiveRunsAreNotOverlaps() {
        DemoHistory h = new DemoHistory();
        h.termStarted("s1", 1, 0);
        h.settle("s1", 1, 1, 0, 100);
        h.settle("s1", 2, 1, 50, 150);
        assertThat(h.settleOverlaps()).isZero();
    }

    @Test
    void rejectsATokenThatDidNotIncrease() {
        DemoHistory h = cleanFailover();
        h.endTerm("s2", 9_000);
        h.termStarted("s3", 17, 9_500);
        assertThat(h.tokensIncreasing()).isFalse();
    }

    @Test
    void rejectsASettlementUnderAnOlderToken() {
        DemoHistory h = cleanFailover();
        h.settle("s1", 4, 10, 9_000, 9_100); // stale leader acting after s2 took over
        assertThat(h.tokensIncreasing()).isFalse();
    }

    @Test
    void countsWritesOverwrittenUnseen() {
        // v5 read by s1 and s2; s1 writes v6 (130), s2 writes v7 (120) over it without seeing it;
        // s3 reads v7 and raises to 140 (seen, not lost).
        List<DemoHistory.Write> writes =
                List.of(
                        new DemoHistory.Write("s2", 5, 7, 120),
                        new DemoHistory.Write("s1", 5, 6, 130),
                        new DemoHistory.Write("s3", 7, 8, 140));
        DemoHistory.LostUpdates lost = DemoHistory.lostUpdates(writes);
        assertThat(lost.count()).isEqualTo(1);
        assertThat(lost.priceDrops()).isEqualTo(1);
        assertThat(lost.examples()).containsExactly("s2 wrote 120 over s1's 130 without seeing it");
    }

    @Test
    void aLostWriteReplacedByAHigherBidIsLostButNotAPriceDrop() {
        List<DemoHistory.Write> writes =
                List.of(
                        new DemoHistory.Write("s1", 5, 6, 110),
                        new DemoHistory.Write("s2", 5, 7, 150));
        DemoHistory.LostUpdates lost = DemoHistory.lostUpdates(writes);
        assertThat(lost.count()).isEqualTo(1);
        assertThat(lost.priceDrops()).isZero();
        assertThat(lost.examples()).isEmpty();
    }

    @Test
    void aChainOfReadsLosesNothing() {
        List<DemoHistory.Write> writes =
                List.of(
                        new DemoHistory.Write("s1", 1, 2, 10),
                        new DemoHistory.Write("s2", 2, 3, 20),
                        new DemoHistory.Write("s1", 3, 4, 30));
        assertThat(DemoHistory.lostUpdates(writes).count()).isZero();
    }
}
