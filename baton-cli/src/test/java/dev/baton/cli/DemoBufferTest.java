package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.faults.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code baton demo buffer} end to end, in a real process with its producer and consumer processes,
 * on embedded ZooKeeper and (with {@code -Dlong}) on a real redis-server: it must pass by itself,
 * within 60s on embedded ZooKeeper, with both kills done.
 */
class DemoBufferTest {
    @TempDir Path dir;

    @Test
    void bufferDemoPassesOnEmbeddedZooKeeperWithinAMinute() {
        long start = System.nanoTime();
        Cli.Result r = Cli.run(dir, Duration.ofSeconds(120), "demo", "buffer");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertPassed(r);
        assertThat(r.err()).as("no log noise").isEmpty();
        assertThat(took).isLessThan(Duration.ofSeconds(60));
    }

    // VerifyBufferCommandTest runs the same producers and consumers on Redis in the default build,
    // with the checker's verdict on every put and take; this repeats it through the demo's kills.
    @Test
    @Tag("long")
    void bufferDemoPassesOnRedis() {
        try (RedisServer server = RedisServer.start()) {
            Cli.Result r =
                    Cli.run(
                            dir,
                            Duration.ofSeconds(120),
                            "demo",
                            "buffer",
                            "--connect",
                            server.uri());
            assertPassed(r);
        }
    }

    @Test
    void bufferDemoExits69WhenTheEngineIsUnreachable() {
        Cli.Result r =
                Cli.run(
                        dir,
                        Duration.ofSeconds(60),
                        "demo",
                        "buffer",
                        "--connect",
                        "redis://127.0.0.1:1");
        assertThat(r.code()).as(r.err()).isEqualTo(69);
        assertThat(r.errLines()).singleElement().asString().contains("engine unreachable");
    }

    private static void assertPassed(Cli.Result r) {
        assertThat(r.code()).as("demo output:%n%s%nstderr:%n%s", r.out(), r.err()).isZero();
        assertThat(r.out().lines().filter(l -> l.contains("KILL -9")))
                .hasSize(2)
                .anySatisfy(l -> assertThat(l).contains("while it waits on not-empty"))
                .anySatisfy(l -> assertThat(l).contains("while it holds the monitor"));
        assertThat(r.out())
                .contains(" WAIT ")
                .contains(" WOKEN ")
                .contains("RESUMED")
                .contains("each exactly once")
                .contains("per item (bound")
                .contains("PASS:");
        assertThat(r.out().lines().filter(l -> l.contains("FAILED"))).isEmpty();
    }
}
