package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FencedLease;
import dev.baton.LockSnapshot;
import dev.baton.zookeeper.EmbeddedZooKeeper;
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

/** {@code baton exec} as a real process against a real ZooKeeper server. */
class ExecTest extends ExecContract {
    private static EmbeddedZooKeeper zk;
    private static Baton client;

    @BeforeAll
    static void startServer() {
        zk = EmbeddedZooKeeper.start(0, null);
        client = Baton.connect(zk.uri(), BatonConfig.custom().clientName("exec-test").build());
    }

    @AfterAll
    static void stopServer() {
        if (client != null) {
            client.close();
        }
        if (zk != null) {
            zk.close();
        }
    }

    @Override
    String uri() {
        return zk.uri();
    }

    @Override
    Baton client() {
        return client;
    }

    @Test
    void concurrentExecsNeverOverlapAndSeeIncreasingTokens() throws IOException {
        Path log = dir.resolve("log");
        Files.createFile(log);
        String script =
                "echo \"start $BATON_FENCING_TOKEN\" >> '"
                        + log
                        + "'; sleep 0.2; echo \"end $BATON_FENCING_TOKEN\" >> '"
                        + log
                        + "'";
        List<Cli.Running> runs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            runs.add(
                    Cli.start(
                            dir,
                            Map.of(),
                            exec("exec/shared", "--wait", "60s", "--", "sh", "-c", script)));
        }
        for (Cli.Running run : runs) {
            Cli.Result r = run.await(RUN);
            assertThat(r.code()).as("stderr: %s", r.err()).isZero();
        }
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).hasSize(8);
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < lines.size(); i += 2) {
            String start = lines.get(i);
            String end = lines.get(i + 1);
            assertThat(start).startsWith("start ");
            long token = Long.parseLong(start.substring(6));
            assertThat(end)
                    .as("holder %d finished before anyone else started", i / 2)
                    .isEqualTo("end " + token);
            assertThat(token).isGreaterThan(previous);
            previous = token;
        }
    }

    @Test
    void aKilledHoldersLockPassesToTheWaiterWithinSessionTimeoutPlusTwoSeconds() {
        Path heldMarker = dir.resolve("held");
        Path nextMarker = dir.resolve("next");
        Cli.Running holder =
                Cli.start(
                        dir,
                        Map.of(),
                        exec(
                                "exec/crash",
                                "--ttl",
                                "2s",
                                "--",
                                "sh",
                                "-c",
                                "touch '" + heldMarker + "'; exec sleep 120"));
        await().atMost(RUN).until(() -> Files.exists(heldMarker));
        Cli.Running waiter =
                Cli.start(
                        dir,
                        Map.of(),
                        exec(
                                "exec/crash",
                                "--wait",
                                "60s",
                                "--",
                                "sh",
                                "-c",
                                "touch '" + nextMarker + "'"));
        await().atMost(RUN)
                .until(
                        () ->
                                client.inspect("exec/crash").map(LockSnapshot::waiters).orElse(0)
                                        >= 1);
        long killed = System.nanoTime();
        holder.kill(); // SIGKILL the JVM (and its sleep): no release, the session must expire
        await().atMost(Duration.ofSeconds(2 + 2))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> Files.exists(nextMarker));
        Duration handover = Duration.ofNanos(System.nanoTime() - killed);
        assertThat(handover).isLessThanOrEqualTo(Duration.ofSeconds(4));
        assertThat(waiter.await(RUN).code()).isZero();
    }

    @Test
    void aWaiterEndedBySigtermLeavesNothingInTheQueue() {
        try (FencedLease held = client.mutex("exec/queue").acquire(Duration.ofSeconds(10))) {
            Cli.Running waiter = Cli.start(dir, Map.of(), exec("exec/queue", "--", "true"));
            await().atMost(RUN)
                    .until(
                            () ->
                                    client.inspect("exec/queue")
                                                    .map(LockSnapshot::waiters)
                                                    .orElse(0)
                                            == 1);
            waiter.process.destroy(); // SIGTERM
            assertThat(waiter.await(RUN).code()).isEqualTo(143);
            // The shutdown hook closed the session before the JVM ended: no stale queue entry.
            assertThat(client.inspect("exec/queue").map(LockSnapshot::waiters)).contains(0);
            assertThat(held.isHeld()).isTrue();
        }
    }

    @Test
    void aLeaseLostWhileTheCommandRunsTerminatesItAndExits70() throws IOException {
        Path started = dir.resolve("started");
        Path pidFile = dir.resolve("pid");
        EmbeddedZooKeeper doomed = EmbeddedZooKeeper.start(0, null);
        try {
            Cli.Running run =
                    Cli.start(
                            dir,
                            Map.of(),
                            "exec",
                            "--connect",
                            doomed.uri(),
                            "--lock",
                            "exec/lost",
                            "--ttl",
                            "2s",
                            "--grace",
                            "1s",
                            "--",
                            "sh",
                            "-c",
                            "echo $$ > '" + pidFile + "'; touch '" + started + "'; exec sleep 120");
            await().atMost(RUN).until(() -> Files.exists(started));
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            doomed.close(); // the engine goes away: renewal fails, the lease's deadline passes
            Cli.Result r = run.await(Duration.ofSeconds(30));
            assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(70);
            assertThat(r.errLines())
                    .singleElement()
                    .asString()
                    .contains("\"exec/lost\" lost while the command ran", "SIGTERM");
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
                    .isNotEqualTo(Optional.of(true));
        } finally {
            doomed.close(); // idempotent
        }
    }
}
