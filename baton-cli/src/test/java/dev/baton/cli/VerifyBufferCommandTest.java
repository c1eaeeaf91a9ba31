package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code baton verify --workload buffer} end to end: producer and consumer JVMs on a real engine. A
 * fenced run passes on ZooKeeper and on Redis; the two-step control (awaits that release the
 * monitor and queue in two steps) is flagged by the lost wake-up rule. Runs are a few seconds of
 * workload with capacity 1, so that waits and signals are constant; most of each test's time is
 * starting JVMs and the engine on a loaded machine, hence the generous timeouts.
 */
class VerifyBufferCommandTest {
    private static final Pattern BUFFER_LINE =
            Pattern.compile(
                    "(\\d+) puts, (\\d+) takes, largest (\\d+), final (\\d+); (\\d+) awaits");

    @TempDir Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                new BatonCli(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true))
                        .execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Run buffer(String backend, String duration, String... more) {
        String[] base = {
            "verify",
            "--backend",
            backend,
            "--workload",
            "buffer",
            "--capacity",
            "1",
            "--clients",
            "4",
            "--duration",
            duration,
            "--faults",
            "none",
            "--seed",
            "7",
            "--report",
            dir.resolve("report").toString()
        };
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return run(all);
    }

    /** Items went through the buffer, and it never held more than its one item. */
    private static void assertItemsFlowed(Run r) {
        Matcher m = BUFFER_LINE.matcher(r.out());
        assertThat(m.find()).as("buffer line in %s", r.out()).isTrue();
        assertThat(Integer.parseInt(m.group(1))).as("puts").isPositive();
        assertThat(Integer.parseInt(m.group(2))).as("takes").isPositive();
        assertThat(Integer.parseInt(m.group(3))).as("largest").isEqualTo(1);
        assertThat(Integer.parseInt(m.group(5))).as("awaits").isPositive();
    }

    @Test
    @Timeout(240)
    void aFencedBufferRunOnZooKeeperPasses() {
        Run r = buffer("zookeeper", "4s");

        assertThat(r.code()).as("%s%s", r.out(), r.err()).isZero();
        assertThat(r.out())
                .contains("bin/baton verify --backend zookeeper --workload buffer --capacity 1")
                .contains("VERDICT: PASS");
        assertItemsFlowed(r);
    }

    @Test
    @Timeout(240)
    void aFencedBufferRunOnRedisPasses() {
        Run r = buffer("redis", "4s");

        assertThat(r.code()).as("%s%s", r.out(), r.err()).isZero();
        assertThat(r.out()).contains("VERDICT: PASS");
        assertItemsFlowed(r);
    }

    @Test
    @Timeout(240)
    void theTwoStepControlIsFlaggedByTheLostWakeupRule() {
        Run r = buffer("redis", "6s", "--control", "two-step");

        assertThat(r.code()).as("%s%s", r.out(), r.err()).isEqualTo(1);
        assertThat(r.out())
                .contains("--control two-step")
                .contains("CONTROL: two-step awaits")
                .containsPattern("VERDICT: FAIL \\(\\d+ violations?: \\d+ LOST_WAKEUP\\)")
                .contains("found no waiter");
        assertItemsFlowed(r);
    }

    @Test
    void helpShowsTheDefaultOfEveryOptionThatHasOne() {
        Run r = run("verify", "--help");

        assertThat(r.code()).isZero();
        String help = r.out().replaceAll("\\s+", " ");
        assertThat(help)
                .contains("--workload=<workload> register")
                .contains("Default: register.")
                .contains("--capacity=<capacity> The buffer's capacity (1-1000). Default: 4.")
                .contains("Default: none.")
                .contains("Client processes (1-32). Default: 5.")
                .contains("How long the workload runs. Default: 60s.")
                .contains("ZooKeeper session timeout. Default: 2s.")
                .contains("or all, none. Default: all.")
                .contains("Nemesis seed. Default: random, printed.")
                .contains("Default: start one.")
                .contains("Default: fenced.")
                .contains("Default: verify-report/BACKEND-SEED")
                .doesNotContain("${DEFAULT-VALUE}");
    }
}
