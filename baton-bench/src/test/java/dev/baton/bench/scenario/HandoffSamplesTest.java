package dev.baton.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

/** Handoffs told apart by client: cross-client and same-client never mixed up. */
class HandoffSamplesTest {

    @Test
    void tellsHandoffsToAnotherClientFromHandoffsWithinAClient() {
        // contended-4: 5 threads over 4 clients, so threads 0 and 4 share client 0.
        assertThat(HandoffSamples.clientOf(4, 4)).isEqualTo(HandoffSamples.clientOf(0, 4));
        HandoffSamples samples = new HandoffSamples(5, 4, 1);
        samples.add(4, 0, 1, 1_000); // same client, before the window
        samples.add(1, 4, 2, 5_000); // client 0 → 1
        samples.add(0, 1, 3, 7_000); // client 1 → 0
        samples.add(4, 0, 4, 2_000); // same client
        samples.add(2, 4, 5, 9_000); // client 0 → 2, after the window

        HandoffSamples.Summary s = samples.summary(1, 4);

        assertThat(s.handoffs()).isEqualTo(5);
        assertThat(s.crossClient()).isEqualTo(3);
        // Nearest rank: the median of {5, 7, 9} µs and of {1, 2} µs.
        assertThat(s.crossP50Micros()).isEqualTo(7.0);
        assertThat(s.sameP50Micros()).isEqualTo(1.0);
        assertThat(s.p50Micros()).isEqualTo(5.0);
        // Handoffs 2, 3, 4 are in the window; two of them went to another client.
        assertThat(s.crossPctInWindow()).isCloseTo(200.0 / 3, offset(1e-9));
    }

    @Test
    void twoThreadsOnTwoClientsHandOffOnlyAcrossClients() {
        HandoffSamples samples = new HandoffSamples(2, 4, 1);
        for (int n = 1; n <= 40; n++) { // past the initial size: the arrays grow
            samples.add(n % 2, (n + 1) % 2, n, 1_000L * n);
        }

        HandoffSamples.Summary s = samples.summary(0, 40);

        assertThat(s.crossClient()).isEqualTo(40);
        assertThat(s.crossPctInWindow()).isEqualTo(100.0);
        assertThat(s.sameP50Micros()).isNaN();
        assertThat(s.crossP50Micros()).isEqualTo(s.p50Micros()).isEqualTo(20.0);
    }
}
