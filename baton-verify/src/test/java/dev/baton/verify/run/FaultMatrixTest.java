package dev.baton.verify.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.verify.CheckResult;
import dev.baton.verify.Checker;
import dev.baton.verify.History;
import dev.baton.verify.HistoryEvent;
import dev.baton.verify.HistoryEvent.Op;
import dev.baton.verify.HistoryEvent.Type;
import dev.baton.verify.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultMatrixTest {
    private static final long S = 1_000_000_000L;

    @Test
    void aViolationCountsForTheFaultWhoseWindowItFellInAndALostUpdateForTheWholeRun() {
        List<HistoryEvent> ev = new ArrayList<>();
        ev.add(nemesis(10 * S, Type.INVOKE, "pause c1 for 5 s"));
        ev.add(nemesis(15 * S, Type.OK, "pause c1 resumed"));
        ev.add(nemesis(40 * S, Type.INVOKE, "kill c2 (kill -9)"));
        ev.add(nemesis(41 * S, Type.OK, "kill c2; started c2#2"));
        // c2 writes token 9 at 12 s; the paused c1 writes token 5 at 16 s and the store takes it.
        ev.addAll(write(12 * S, "c2", 9, 0L, 1L));
        ev.addAll(write(16 * S, "c1", 5, 0L, 1L));
        History h = History.of(ev);
        CheckResult r = Checker.check(h);
        FaultMatrix m = FaultMatrix.of(h, r, Verdict.strict(r), Duration.ofSeconds(2));

        assertThat(m.rows())
                .contains(
                        new FaultMatrix.Row("pause", 1, 1, 0),
                        new FaultMatrix.Row("kill", 1, 0, 0),
                        new FaultMatrix.Row("(whole run)", 0, 1, 0));
        assertThat(m.render()).contains("pause").contains("(whole run)");
    }

    private static HistoryEvent nemesis(long t, Type type, String detail) {
        return HistoryEvent.of(t, "nemesis", type, Op.NEMESIS, null).withDetail(detail);
    }

    private static List<HistoryEvent> write(long t, String p, long token, Long read, Long value) {
        HistoryEvent invoke =
                HistoryEvent.of(t, p, Type.INVOKE, Op.WRITE, "reg")
                        .withToken(token)
                        .withRegister(read, value);
        return List.of(invoke, invoke.withType(Type.OK).withNanos(t + 1_000_000));
    }
}
