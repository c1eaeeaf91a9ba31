package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FencedLease;
import dev.baton.LockSnapshot;
import dev.baton.testkit.RedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code baton exec} as a real process against a real {@code redis-server}. */
class ExecOnRedisTest {
    private static final Duration RUN = Duration.ofSeconds(60);

    private static RedisServer redis;
    private static Baton client;

    @TempDir Path dir;

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

    private static String[] execOn(String uri, String lock, String... rest) {
        List<String> a = new ArrayList<>(List.of("exec", "--connect", uri, "--lock", lock));
        a.addAll(List.of(rest));
        return a.toArray(String[]::new);
    }

    private String[] exec(String lock, String... rest) {
        return execOn(redis.uri(), lock, rest);
    }

    @Test
    void runsTheCommandWithLockAndTokenAndPropagatesItsStatus() {
        Cli.Result r =
                Cli.run(
                        dir,
                        RUN,
                        exec(
                                "exec/status",
                                "--",
                                "sh",
                                "-c",
                                "echo \"lock=$BATON_LOCK token=$BATON_FENCING_TOKEN\"; exit 7"));
        assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(7);
        assertThat(r.out()).matches("lock=exec/status token=\\d+\\R");
        assertThat(client.inspect("exec/status").map(LockSnapshot::isHeld))
                .isNotEqualTo(Optional.of(true));
    }

    @Test
    void waitZeroOnAHeldLockExits75AtOnceNamingTheHolder() {
        try (FencedLease held = client.mutex("exec/busy").acquire(Duration.ofSeconds(10))) {
            long start = System.nanoTime();
            Cli.Result r = Cli.run(dir, RUN, exec("exec/busy", "--wait", "0", "--", "true"));
            assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(75);
            assertThat(r.errLines())
                    .singleElement()
                    .asString()
                    .contains(
                            "\"exec/busy\" not acquired within 0ms",
                            client.clientId(),
                            "token " + held.fencingToken());
            // "At once": no waiting beyond JVM start-up and one round trip.
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isLessThan(Duration.ofSeconds(20));
            assertThat(held.isHeld()).isTrue();
        }
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
