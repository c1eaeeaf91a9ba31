package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.Lease;
import dev.baton.faults.RedisServer;
import dev.baton.redis.Redlock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code baton exec --connect redlock://…} as a real process against three real servers. */
class ExecOnRedlockTest {
    private static final Duration RUN = Duration.ofSeconds(60);
    private static final List<RedisServer> servers = new ArrayList<>();
    private static String uri;

    @TempDir Path dir;

    @BeforeAll
    static void startServers() {
        for (int i = 0; i < 3; i++) {
            servers.add(RedisServer.start());
        }
        uri =
                "redlock://"
                        + servers.stream()
                                .map(s -> "127.0.0.1:" + s.port())
                                .collect(Collectors.joining(","));
    }

    @AfterAll
    static void stopServers() {
        servers.forEach(RedisServer::close);
    }

    @Test
    void runsTheCommandWithoutAFencingTokenAndPropagatesItsStatus() {
        Cli.Result r =
                Cli.run(
                        dir,
                        RUN,
                        "exec",
                        "--connect",
                        uri,
                        "--lock",
                        "exec/redlock",
                        "--",
                        "sh",
                        "-c",
                        "echo \"lock=$BATON_LOCK token=${BATON_FENCING_TOKEN-unset}\"; exit 7");
        assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(7);
        assertThat(r.out()).matches("lock=exec/redlock token=unset\\R");
        try (Redlock check = Redlock.connect(uri)) {
            // Released at exit: another client gets it at once.
            assertThat(check.mutex("exec/redlock").tryAcquire()).hasValueSatisfying(Lease::release);
        }
    }

    @Test
    void waitZeroOnAHeldLockExits75() {
        try (Redlock holder = Redlock.connect(uri);
                Lease held = holder.mutex("exec/busy").acquire(Duration.ofSeconds(10))) {
            Cli.Result r =
                    Cli.run(
                            dir,
                            RUN,
                            "exec",
                            "--connect",
                            uri,
                            "--lock",
                            "exec/busy",
                            "--wait",
                            "0",
                            "--",
                            "true");
            assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(75);
            assertThat(r.err()).contains("\"exec/busy\" not acquired within 0ms");
            assertThat(held.isHeld()).isTrue();
        }
    }

    @Test
    void fewerThanTwoMastersIsAUsageError() {
        Cli.Result r =
                Cli.run(
                        dir,
                        RUN,
                        "exec",
                        "--connect",
                        "redlock://127.0.0.1:" + servers.get(0).port(),
                        "--lock",
                        "x",
                        "--",
                        "true");
        assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(64);
        assertThat(r.err()).contains("at least 2 host:port masters");
    }
}
