package dev.baton.samples.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The journal checker, proven on journals it must reject and on ones it must accept. */
class JournalCheckTest {

    private static JournalCheck.Result check(String... lines) {
        return JournalCheck.check(JournalCheck.parse(String.join("\n", lines) + "\n"));
    }

    @Test
    void acceptsRunsOfOneLeaderThenAnother() {
        JournalCheck.Result r =
                check(
                        "start 5 100",
                        "end 5 100",
                        "start 5 100",
                        "end 5 100",
                        "start 9 200",
                        "end 9 200");
        assertThat(r.violations()).isEmpty();
        assertThat(r.runs()).hasSize(3);
        assertThat(r.abandoned()).isEmpty();
        assertThat(r.leaders()).containsExactly(100L, 200L);
    }

    @Test
    void acceptsARunAbandonedByAKilledOrPausedLeader() {
        JournalCheck.Result r =
                check("start 5 100", "end 5 100", "start 5 100", "start 9 200", "end 9 200");
        assertThat(r.violations()).isEmpty();
        assertThat(r.abandoned()).containsExactly(new JournalCheck.Run(5, 100, 2, -1));
        assertThat(r.abandonedPids()).containsExactly(100L);
    }

    @Test
    void acceptsALeaderReElectedAfterLosingItsLeaseMidRun() {
        assertThat(check("start 5 100", "start 9 100", "end 9 100").violations()).isEmpty();
    }

    @Test
    void rejectsAnOverlapWhereASupersededRunWritesItsEnd() {
        JournalCheck.Result r = check("start 5 100", "start 9 200", "end 5 100", "end 9 200");
        assertThat(r.violations())
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("line 3 \"end 5 100\" does not end the latest run")
                .contains("run of 200 with token 9");
    }

    @Test
    void rejectsAnOverlapWhereASupersededLeaderStartsAgainWithItsOldToken() {
        assertThat(check("start 5 100", "start 9 200", "end 9 200", "start 5 100").violations())
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("line 4 \"start 5 100\" has a smaller token");
    }

    @Test
    void rejectsADecreasingToken() {
        assertThat(check("start 9 200", "end 9 200", "start 5 100", "end 5 100").violations())
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("line 3 \"start 5 100\" has a smaller token");
    }

    @Test
    void rejectsTheSameTokenOnANewInstance() {
        assertThat(check("start 5 100", "end 5 100", "start 5 200", "end 5 200").violations())
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("line 3 \"start 5 200\" is a new instance with the same token");
    }

    @Test
    void rejectsAnInstanceOverlappingItself() {
        assertThat(check("start 5 100", "start 5 100", "end 5 100").violations())
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("line 2 \"start 5 100\" begins while its own run is open");
    }

    @Test
    void rejectsAnEndWithoutItsStartAndAnEndTwice() {
        assertThat(check("end 5 100").violations()).hasSize(1);
        assertThat(check("start 5 100", "end 5 100", "end 5 100").violations()).hasSize(1);
    }

    @Test
    void parsesOnlyCompleteLinesAndRejectsGarbage() {
        assertThat(JournalCheck.parse("start 5 100\nend 5 1")).hasSize(1);
        assertThat(JournalCheck.parse("")).isEmpty();
        assertThatThrownBy(() -> JournalCheck.parse("start 5 100\nbegin 5 100\n"))
                .hasMessageContaining("line 2 is not");
        assertThatThrownBy(() -> JournalCheck.parse("start five 100\n"))
                .hasMessageContaining("no number");
        assertThat(JournalCheck.parse("start 5 100\n"))
                .isEqualTo(List.of(new JournalCheck.Line(0, JournalCheck.Event.START, 5, 100)));
    }
}
