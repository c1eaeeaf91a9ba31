package dev.baton.verify.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.InvalidArgumentException;
import dev.baton.verify.CheckResult;
import dev.baton.verify.Checker;
import dev.baton.verify.History;
import dev.baton.verify.HistoryEvent.Type;
import dev.baton.verify.Verdict;
import dev.baton.verify.Violation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTableTest {

    private static List<String> lines(String summary) {
        assertThat(summary).endsWith("\n");
        return Arrays.asList(summary.split("\n"));
    }

    private static void assertFitsOneScreen(List<String> lines) {
        assertThat(lines).hasSizeLessThanOrEqualTo(35);
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(100));
    }

    @Test
    void fencedRunPassesWithItsCounts() {
        History h = Histories.simulate(3, 5, 30, 150, 400, 300, true, true);
        CheckResult r = Checker.check(h);
        assertThat(r.clean()).as("%s", r.violations()).isTrue();

        List<String> lines =
                lines(SummaryTable.render(Histories.info(true), h, r, Verdict.strict(r)));

        assertFitsOneScreen(lines);
        assertThat(lines.get(lines.size() - 1)).isEqualTo("VERDICT: PASS");
        assertThat(lines.get(0)).isEqualTo("baton verify: zookeeper, fencing on");
        CheckResult.Stats s = r.stats();
        assertThat(lines)
                .contains(
                        "  engine    3-member ZooKeeper ensemble in network namespaces",
                        "  seed 42   duration 30 s   clients 5   ttl 2 s   started"
                                + " 2024-05-01T10:00:00Z",
                        "  faults    pause, kill, restart-leader, blackhole",
                        "  injected  pause x1, kill x1, restart-leader x1, blackhole x1",
                        "  skipped   partition: needs root",
                        "  grants         " + s.grants(),
                        "  writes         accepted "
                                + s.writesAccepted()
                                + "   rejected 1   indeterminate 0",
                        "  register       final "
                                + s.finalRegisterValue()
                                + " vs "
                                + s.acknowledgedIncrements()
                                + " acknowledged increments",
                        "  kills          1   of holders 1   followed by a grant 1",
                        "  LOSS_SIGNAL_FIRST             0        0",
                        "Engine residue: none");
        // One read per grant; the runner's final read is not a client's.
        assertThat(lines)
                .contains("  reads          ok " + s.grants() + "   rejected 0   indeterminate 0");
        assertThat(lines)
                .anyMatch(l -> l.matches("  kill -> grant  max 20\\d\\d\\.\\d ms   p99 .*"));
    }

    @Test
    void failingRunCountsPerKindAndShowsTheFirstThreeExplanations() {
        Histories b = new Histories();
        // Five grants each while the previous holder still believes: four loss-signal-first.
        for (int i = 0; i < 5; i++) {
            b.grant(i * 100, i * 100, "c" + (i + 1), i + 1);
        }
        b.write(600, 610, "c1", 1, 0, Type.OK); // stale after nothing: clean
        History h = b.history();
        CheckResult r = Checker.check(h);
        List<Violation> lsf = r.violations(Violation.Kind.LOSS_SIGNAL_FIRST);
        assertThat(lsf).hasSizeGreaterThanOrEqualTo(4);
        List<Violation> counted = new ArrayList<>(r.violations());
        counted.remove(lsf.get(0));
        Verdict verdict =
                new Verdict(counted, List.of(new Verdict.Excused(lsf.get(0), "no persistence")));

        List<String> lines = lines(SummaryTable.render(Histories.info(false), h, r, verdict));

        assertFitsOneScreen(lines);
        assertThat(lines.get(0)).isEqualTo("baton verify: zookeeper, fencing OFF (control run)");
        assertThat(lines)
                .contains(
                        String.format("  %-22s %8d %8d", "LOSS_SIGNAL_FIRST", lsf.size() - 1, 1),
                        "  TOKEN_INVERSION               0        0",
                        "... and " + (r.violations().size() - 3) + " more (see report)");
        assertThat(lines).anyMatch(l -> l.startsWith("1. LOSS_SIGNAL_FIRST: lock 'lock' granted"));
        assertThat(lines).anyMatch(l -> l.startsWith("3. LOSS_SIGNAL_FIRST: "));
        assertThat(lines).noneMatch(l -> l.startsWith("4. "));
        assertThat(lines.get(lines.size() - 1))
                .isEqualTo(
                        "VERDICT: FAIL ("
                                + counted.size()
                                + " violations: "
                                + (lsf.size() - 1)
                                + " LOSS_SIGNAL_FIRST; 1 excused)");
    }

    @Test
    void excusedOnlyStillPassesAndSaysSo() {
        History h = new Histories().grant(0, 0, "c1", 1).grant(10, 10, "c2", 2).history();
        CheckResult r = Checker.check(h);
        assertThat(r.violations()).hasSize(1);
        Verdict verdict =
                new Verdict(List.of(), List.of(new Verdict.Excused(r.violations().get(0), "why")));

        List<String> lines = lines(SummaryTable.render(Histories.info(true), h, r, verdict));

        assertThat(lines.get(lines.size() - 1)).isEqualTo("VERDICT: PASS (1 excused)");
        assertThat(lines).anyMatch(l -> l.startsWith("1. LOSS_SIGNAL_FIRST (excused: why): "));
    }

    @Test
    void longTextIsWrappedOrCutToOneHundredColumns() {
        History h = new Histories().grant(0, 0, "c1", 1).history();
        CheckResult r = Checker.check(h);
        String word = "x".repeat(30) + " ";
        Violation longOne =
                new Violation(Violation.Kind.LOST_UPDATE, h.events(), word.repeat(20).strip());
        CheckResult withIt = new CheckResult(List.of(longOne), r.stats());
        RunInfo info =
                new RunInfo(
                        "redis",
                        "e".repeat(300),
                        true,
                        1,
                        Duration.ofMillis(2500),
                        1,
                        Duration.ofMillis(500),
                        List.of(),
                        List.of("a", "b", "c", "d", "e"),
                        List.of("lock:1", "lock:2", "lock:3", "lock:4"),
                        "cmd",
                        Instant.EPOCH);

        List<String> lines = lines(SummaryTable.render(info, h, withIt, Verdict.strict(withIt)));

        assertFitsOneScreen(lines);
        assertThat(lines).anyMatch(l -> l.startsWith("  engine    eeee") && l.endsWith("..."));
        assertThat(lines).anyMatch(l -> l.contains("duration 2.5 s") && l.contains("ttl 500 ms"));
        assertThat(lines).contains("  skipped   a", "  skipped   ... and 4 more (see report)");
        assertThat(lines)
                .contains(
                        "Engine residue: 4 entries left behind",
                        "  lock:1",
                        "  ... and 3 more (see report)");
        int first =
                lines.indexOf(lines.stream().filter(l -> l.startsWith("1. ")).findFirst().get());
        assertThat(lines.get(first + 1)).startsWith("     xxx");
        assertThat(lines.get(first + 2)).startsWith("     xxx").endsWith("...");
        assertThat(lines.get(first + 3)).startsWith("VERDICT: FAIL (1 violation: 1 LOST_UPDATE)");
    }

    @Test
    void emptyHistoryPasses() {
        History h = History.of(List.of());
        CheckResult r = Checker.check(h);

        List<String> lines =
                lines(SummaryTable.render(Histories.info(true), h, r, Verdict.strict(r)));

        assertThat(lines).contains("  injected  none");
        assertThat(lines).contains("  kill -> grant  -");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("VERDICT: PASS");
    }

    @Test
    void rejectsNullArguments() {
        History h = History.of(List.of());
        CheckResult r = Checker.check(h);

        assertThatThrownBy(() -> SummaryTable.render(Histories.info(true), null, r, null))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("SummaryTable.render history must be non-null, but was null");
    }
}
