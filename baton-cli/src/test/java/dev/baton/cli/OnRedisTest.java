package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.faults.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands other than exec against a real redis-server: demo, locks. */
class OnRedisTest {
    private static RedisServer server;
    @TempDir Path dir;

    @BeforeAll
    static void start() {
        server = RedisServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void demoPassesOnRedis() {
        Cli.Result r = Cli.run(dir, Duration.ofSeconds(120), "demo", "--connect", server.uri());
        assertThat(r.code()).as("demo output:%n%s%nstderr:%n%s", r.out(), r.err()).isZero();
        assertThat(r.out())
                .contains("0 between settlement runs, 0 between leadership terms")
                .contains("(strictly increasing)")
                .contains("FAILOVER")
                .contains("PASS:");
    }

    @Test
    void locksShowsTheHolderAndTokenOnRedis() {
        try (Baton baton = Baton.connect(server.uri())) {
            FencedLease lease = baton.mutex("listed/one").acquire(Duration.ofSeconds(10));
            Cli.Result r =
                    Cli.run(
                            dir,
                            Duration.ofSeconds(60),
                            Map.of(),
                            "locks",
                            "--connect",
                            server.uri(),
                            "listed");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out())
                    .contains("listed/one")
                    .contains(baton.clientId())
                    .contains(String.valueOf(lease.fencingToken()));
            lease.release();
        }
    }
}
