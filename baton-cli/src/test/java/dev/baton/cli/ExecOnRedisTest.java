package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.faults.RedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code baton exec} as a real process against a real {@code redis-server}. */
class ExecOnRedisTest extends ExecContract {
    private static RedisServer redis;
    private static Baton client;

    @BeforeAll
    static void startServer() {
        redis = RedisServer.start();
        client =
                Baton.connect(
                        redis.uri(), BatonConfig.custom().clientName("exec-redis-test").build());
    }

    @AfterAll
    static void stopServer() {
        if (client != null) {
            client.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    String uri() {
        return redis.uri();
    }

    @Override
    Baton client() {
        return client;
    }

    @Test
    void aRedisRestartWhileTheCommandRunsLosesTheLeaseTerminatesItAndExits70() throws IOException {
        Path started = dir.resolve("started");
        Path pidFile = dir.resolve("pid");
        // Its own server: the restart wipes all data, which must not disturb the other tests.
        try (RedisServer doomed = RedisServer.start()) {
            Cli.Running run =
                    Cli.start(
                            dir,
                            Map.of(),
                            execOn(
                                    doomed.uri(),
                                    "exec/lost",
                                    "--ttl",
                                    "2s",
                                    "--grace",
                                    "1s",
                                    "--",
                                    "sh",
                                    "-c",
                                    "echo $$ > '"
                                            + pidFile
                                            + "'; touch '"
                                            + started
                                            + "'; exec sleep 120"));
            await().atMost(RUN).until(() -> Files.exists(started));
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            doomed.restart(); // a fresh, empty server on the same port: the lease key is gone
            Cli.Result r = run.await(Duration.ofSeconds(30));
            assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(70);
            assertThat(r.errLines())
                    .anySatisfy(
                            l ->
                                    assertThat(l)
                                            .contains(
                                                    "\"exec/lost\" lost while the command ran",
                                                    "SIGTERM"));
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
                    .isNotEqualTo(Optional.of(true));
        }
    }
}
