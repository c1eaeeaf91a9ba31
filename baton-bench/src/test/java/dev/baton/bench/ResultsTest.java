package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

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

    @Test
    void formatsWithAtMostThreeDecimals() {
        assertThat(Results.format(1.23456)).isEqualTo("1.235");
        assertThat(Results.format(2.0)).isEqualTo("2");
        assertThat(Results.format(12345678.0)).isEqualTo("12345678");
    }
}
