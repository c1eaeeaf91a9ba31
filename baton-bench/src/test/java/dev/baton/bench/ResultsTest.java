package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The outputs' formats, from hand-made values. */
class ResultsTest {

    @Test
    void csvHasTheMedianAndTheSpreadOfRounds() {
        Results r = new Results();
        r.round("uncontended", "redis", "baton", 0).add("latency_p50_us", "us", 100);
        r.round("uncontended", "redis", "baton", 1).add("latency_p50_us", "us", 90);
        r.round("uncontended", "redis", "baton", 2).add("latency_p50_us", "us", 300);
        r.round("renewal-10k", "redis", "baton", 0).add("client_threads", "threads", 5);
        assertThat(r.csv())
                .isEqualTo(
                        "scenario,backend,system,metric,value,unit\n"
                                + "uncontended,redis,baton,latency_p50_us,100,us\n"
                                + "uncontended,redis,baton,latency_p50_us_min,90,us\n"
                                + "uncontended,redis,baton,latency_p50_us_max,300,us\n"
                                + "renewal-10k,redis,baton,client_threads,5,threads\n");
        assertThat(r.markdown("t")).contains("| baton | 100 (90–300) |");
    }

    /**
     * Baton is 1.1 × the floor in two rounds of three; the third round ran while the machine was
     * slower for the floor. The ratio of the medians (220 / 100 = 2.2) compares Baton's middle
     * round with the floor's and reports 2.2; pairing by round reports 1.1.
     */
    @Test
    void ratiosArePairedWithinEachRoundNotTakenBetweenMedians() {
        Results r = new Results();
        double[] baton = {110, 330, 220};
        double[] floor = {100, 300, 100};
        for (int round = 0; round < 3; round++) {
            r.round("uncontended", "redis", "baton", round)
                    .add("latency_p50_us", "us", baton[round]);
            r.round("uncontended", "redis", "redis-floor", round)
                    .add("latency_p50_us", "us", floor[round]);
        }

        double unpaired =
                r.median("uncontended", "redis", "baton", "latency_p50_us")
                        / r.median("uncontended", "redis", "redis-floor", "latency_p50_us");
        assertThat(unpaired).isCloseTo(2.2, within(1e-9));
        assertThat(r.pairedRatio("uncontended", "redis", "latency_p50_us", "redis-floor"))
                .isCloseTo(1.1, within(1e-9));
        assertThat(r.csv())
                .contains(
                        "uncontended,redis,baton,latency_p50_us_ratio_redis-floor,1.1,ratio\n",
                        "uncontended,redis,baton,latency_p50_us_ratio_redis-floor_min,1.1,ratio\n",
                        "uncontended,redis,baton,latency_p50_us_ratio_redis-floor_max,2.2,ratio\n")
                .doesNotContain("ratio_baton");
        assertThat(r.markdown("t"))
                .contains(
                        "baton ÷ peer",
                        "| peer | latency_p50_us |",
                        "| redis-floor | 1.1 (1.1–2.2) |");
    }

    /**
     * A round the peer failed is left out of the pairing: matching values by position instead of by
     * round number would divide Baton's round 1 by the peer's round 2.
     */
    @Test
    void aRoundOnlyOneSystemCompletedIsLeftOut() {
        Results r = new Results();
        r.round("contended-16", "redis", "baton", 0).add("handoffs_per_s", "handoffs/s", 2000);
        r.round("contended-16", "redis", "baton", 1).add("handoffs_per_s", "handoffs/s", 9000);
        r.round("contended-16", "redis", "baton", 2).add("handoffs_per_s", "handoffs/s", 4000);
        r.round("contended-16", "redis", "redisson-rlock", 0)
                .add("handoffs_per_s", "handoffs/s", 1000);
        r.round("contended-16", "redis", "redisson-rlock", 2)
                .add("handoffs_per_s", "handoffs/s", 2000);

        // Rounds 0 and 2: 2 and 2. By position: 2000 / 1000 and 9000 / 2000, a median of 3.25.
        assertThat(r.pairedRatio("contended-16", "redis", "handoffs_per_s", "redisson-rlock"))
                .isEqualTo(2.0);
    }

    @Test
    void aPeerValueOfZeroGivesNoRatioForThatRound() {
        Results r = new Results();
        r.round("contended-1", "redis", "baton", 0).add("regrants_pct", "%", 0);
        r.round("contended-1", "redis", "shedlock-redis", 0).add("regrants_pct", "%", 0);
        r.round("contended-1", "redis", "baton", 1).add("regrants_pct", "%", 1);
        r.round("contended-1", "redis", "shedlock-redis", 1).add("regrants_pct", "%", 50);

        assertThat(r.pairedRatio("contended-1", "redis", "regrants_pct", "shedlock-redis"))
                .isEqualTo(0.02);
        assertThat(r.csv()).doesNotContain("Infinity").doesNotContain("NaN");
    }

    @Test
    void tablesKeepTheRegistryOrderWhateverOrderTheRoundsRan() {
        Results r = new Results();
        r.round("uncontended", "redis", "redis-floor", 0).add("ops_per_s", "ops/s", 2);
        r.round("uncontended", "redis", "baton", 0).add("ops_per_s", "ops/s", 1);
        assertThat(r.csv())
                .isEqualTo(
                        "scenario,backend,system,metric,value,unit\n"
                                + "uncontended,redis,baton,ops_per_s,1,ops/s\n"
                                + "uncontended,redis,redis-floor,ops_per_s,2,ops/s\n"
                                + "uncontended,redis,baton,ops_per_s_ratio_redis-floor,0.5,ratio\n");
    }

    @Test
    void formatsWithAtMostThreeDecimals() {
        assertThat(Results.format(1.23456)).isEqualTo("1.235");
        assertThat(Results.format(2.0)).isEqualTo("2");
        assertThat(Results.format(12345678.0)).isEqualTo("12345678");
    }
}
