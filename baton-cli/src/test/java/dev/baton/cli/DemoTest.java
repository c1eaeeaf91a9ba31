package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job, end to end: {@code baton demo} in a real process, with its three children. */
class DemoTest {
    @TempDir Path dir;

    @Test
    void demoPassesWithNoOverlapsAndAFailover() {
        long start = System.nanoTime();
        Cli.Result r = Cli.run(dir, Duration.ofSeconds(120), "demo");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(r.code()).as("demo output:%n%s%nstderr:%n%s", r.out(), r.err()).isZero();
        assertThat(r.out())
                .contains("0 between settlement runs, 0 between leadership terms")
                .contains("(strictly increasing)")
                .contains("KILL -9")
                .contains("FAILOVER")
                .contains("PASS:");
        assertThat(r.out().lines().filter(l -> l.contains("RESULT b") || l.contains("RESULT c")))
                .hasSize(2)
                .allSatisfy(l -> assertThat(l).endsWith(": kept"));
        assertThat(r.err()).as("no log noise").isEmpty();
        assertThat(took).isLessThan(Duration.ofSeconds(90));
    }
}
