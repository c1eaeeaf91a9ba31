package dev.baton.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.LeaseKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrantRulesTest {

    private record E(LeaseKind kind, int permits) implements GrantRules.Queued {}

    private static List<E> queue(Object... kindsOrPermits) {
        List<E> q = new ArrayList<>();
        for (Object o : kindsOrPermits) {
            q.add(o instanceof Integer p ? new E(LeaseKind.SEMAPHORE, p) : new E((LeaseKind) o, 1));
        }
        return q;
    }

    private static final LeaseKind R = LeaseKind.READ;
    private static final LeaseKind W = LeaseKind.WRITE;
    private static final LeaseKind M = LeaseKind.MUTEX;

    @Test
    void exclusiveKindsAreGrantedToTheFirstInLineOnly() {
        assertThat(GrantRules.grantedCount(queue(M, M, M), 1)).isEqualTo(1);
        assertThat(GrantRules.grantedCount(queue(LeaseKind.LEADERSHIP, LeaseKind.LEADERSHIP), 1))
                .isEqualTo(1);
        assertThat(GrantRules.blocker(queue(M, M, M), 2)).isEqualTo(1);
    }

    @Test
    void readersShareUntilAWriterIsInLineAndAWaitingWriterHoldsBackLaterReaders() {
        assertThat(GrantRules.grantedCount(queue(R, R, R), 1)).isEqualTo(3);
        assertThat(GrantRules.grantedCount(queue(R, R, W, R), 1)).isEqualTo(2);
        assertThat(GrantRules.grantedCount(queue(W, R, R), 1)).isEqualTo(1);
        assertThat(GrantRules.granted(queue(R, W, R), 2, 1)).isFalse();
        assertThat(GrantRules.blocker(queue(R, W, R, R), 3)).as("nearest writer").isEqualTo(1);
        assertThat(GrantRules.blocker(queue(R, W), 1))
                .as("a writer waits for its predecessor")
                .isEqualTo(0);
    }

    @Test
    void aSemaphoreGrantsInStrictOrderWhilePermitsFit() {
        assertThat(GrantRules.grantedCount(queue(1, 1, 1, 1), 3)).isEqualTo(3);
        assertThat(GrantRules.grantedCount(queue(1, 2, 1), 3)).isEqualTo(2);
        // A large request at the head blocks later small ones (no starvation of the large one).
        assertThat(GrantRules.grantedCount(queue(2, 2, 1), 3)).isEqualTo(1);
        assertThat(GrantRules.granted(queue(2, 2, 1), 2, 3)).isFalse();
        assertThat(GrantRules.blocker(queue(2, 2, 1), 2)).as("any release may grant").isEqualTo(-1);
    }

    @Test
    void anEntryNotUnderstoodExcludesEveryoneAfterIt() {
        List<E> q = new ArrayList<>(queue(1));
        q.add(0, new E(null, 0));
        assertThat(GrantRules.granted(q, 1, 100)).isFalse();
        List<E> rw = new ArrayList<>(queue(R));
        rw.add(0, new E(null, 1));
        assertThat(GrantRules.granted(rw, 1, 1)).isFalse();
    }
}
