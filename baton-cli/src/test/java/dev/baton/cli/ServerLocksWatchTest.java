package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FencedLease;
import dev.baton.LockSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code baton server} as a real process; {@code locks} and {@code watch} against it, also as real
 * processes; a plain client in the test makes the state they must show.
 */
class ServerLocksWatchTest {
    private static final Duration RUN = Duration.ofSeconds(60);

    @TempDir Path dir;

    @Test
    void serverPrintsItsUriAndServesLocksAndWatches() throws Exception {
        Cli.Running server = Cli.start(dir, Map.of(), "server", "--port", "0");
        try {
            await().atMost(RUN).until(() -> server.out().contains("\n"));
            String uri = server.out().lines().findFirst().orElseThrow();
            assertThat(uri).matches("zookeeper://127\\.0\\.0\\.1:\\d+");

            try (Baton client =
                            Baton.connect(
                                    uri, BatonConfig.custom().clientName("holder-x").build());
                    FencedLease lease =
                            client.mutex("jobs/nightly").acquire(Duration.ofSeconds(10))) {
                Cli.Result table = Cli.run(dir, RUN, Map.of("BATON_CONNECT", uri), "locks", "jobs");
                assertThat(table.code()).as("stderr: %s", table.err()).isZero();
                assertThat(table.out().lines())
                        .hasSize(2)
                        .first()
                        .asString()
                        .startsWith("NAME")
                        .contains("KIND", "HOLDER", "TOKEN", "HELD FOR", "WAITERS");
                assertThat(table.out().lines().skip(1).findFirst().orElseThrow())
                        .startsWith("jobs/nightly")
                        .contains("mutex", client.clientId(), Long.toString(lease.fencingToken()));

                Cli.Result json = Cli.run(dir, RUN, "locks", "--connect", uri, "--json");
                assertThat(json.code()).isZero();
                JsonNode row = Json.MAPPER.readTree(json.out().lines().findFirst().orElseThrow());
                assertThat(row.path("name").asText()).isEqualTo("jobs/nightly");
                assertThat(row.path("holders").get(0).path("token").asLong())
                        .isEqualTo(lease.fencingToken());
                assertThat(row.path("holders").get(0).path("clientId").asText())
                        .isEqualTo(client.clientId());

                Cli.Running watch = Cli.start(dir, Map.of(), "watch", "--connect", uri, "prices");
                try {
                    await().atMost(RUN).until(() -> watch.err().contains("watching \"prices\""));
                    client.keyValue().put("prices/item-1", "42");
                    await().atMost(Duration.ofSeconds(10)).until(() -> watch.out().contains("PUT"));
                    assertThat(
                                    watch.out()
                                            .lines()
                                            .filter(l -> l.contains("PUT"))
                                            .findFirst()
                                            .orElseThrow())
                            .contains("prices/item-1", "\"42\"");
                } finally {
                    watch.process.destroy(); // SIGTERM: the shutdown hook closes the client
                    assertThat(watch.await(RUN).code()).isEqualTo(143);
                }
            }
        } finally {
            server.process.destroy();
            Cli.Result r = server.await(RUN);
            assertThat(r.code())
                    .as("SIGTERM ends the server through its shutdown hook")
                    .isEqualTo(143);
        }
    }

    /**
     * A watch must not go silent when its engine dies: it prints the loss as it notices it, exits
     * 69 once the engine has been gone for --give-up-after, and, if the engine returns before that,
     * prints the return and a RESYNC.
     */
    @Test
    void watchPrintsTheLossAndTheReturnOfItsEngineAndGivesUpWith69() throws Exception {
        Path data = dir.resolve("zk-data");
        Cli.Running server =
                Cli.start(dir, Map.of(), "server", "--port", "0", "--data", data.toString());
        await().atMost(RUN).until(() -> server.out().contains("\n"));
        String uri = server.out().lines().findFirst().orElseThrow();
        String port = uri.substring(uri.lastIndexOf(':') + 1);
        Cli.Running watch =
                Cli.start(dir, Map.of(), "watch", "--connect", uri, "--give-up-after", "20s", "p");
        Cli.Running again = null;
        try {
            await().atMost(RUN).until(() -> watch.err().contains("watching \"p\""));
            server.kill();
            server.await(RUN);
            await("the loss printed within 10 s")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> watch.out().contains("DISCONNECTED"));

            again = Cli.start(dir, Map.of(), "server", "--port", port, "--data", data.toString());
            await("the return printed, then a RESYNC")
                    .atMost(RUN)
                    .until(
                            () -> {
                                String out = watch.out();
                                int back = out.lastIndexOf("RECONNECTED");
                                return back >= 0 && out.indexOf("RESYNC", back) >= 0;
                            });
            assertThat(watch.process.isAlive()).isTrue();

            again.kill();
            again.await(RUN);
            Cli.Result gaveUp = watch.await(RUN);
            assertThat(gaveUp.code()).as("stderr: %s", gaveUp.err()).isEqualTo(69);
            assertThat(gaveUp.errLines())
                    .last()
                    .asString()
                    .contains("unreachable for 20s", "--give-up-after");
        } finally {
            if (watch.process.isAlive()) {
                watch.kill();
            }
            if (again != null && again.process.isAlive()) {
                again.kill();
            }
        }
    }

    /** exec waiting for a busy lock gives up with 69 when the engine goes away meanwhile. */
    @Test
    void execWaitingForALockGivesUpWith69WhenTheEngineDies() throws Exception {
        Cli.Running server = Cli.start(dir, Map.of(), "server", "--port", "0");
        await().atMost(RUN).until(() -> server.out().contains("\n"));
        String uri = server.out().lines().findFirst().orElseThrow();
        Cli.Running exec = null;
        try (Baton holder = Baton.connect(uri)) {
            holder.mutex("jobs/busy").acquire(Duration.ofSeconds(10));
            exec =
                    Cli.start(
                            dir,
                            Map.of(),
                            "exec",
                            "--connect",
                            uri,
                            "--give-up-after",
                            "3s",
                            "--lock",
                            "jobs/busy",
                            "--",
                            "true");
            Cli.Running waiting = exec;
            await("exec queued behind the holder")
                    .atMost(RUN)
                    .until(
                            () ->
                                    holder.inspect("jobs/busy").map(LockSnapshot::waiters).orElse(0)
                                            == 1);
            server.kill();
            server.await(RUN);
            Cli.Result gaveUp = waiting.await(RUN);
            assertThat(gaveUp.code()).as("stderr: %s", gaveUp.err()).isEqualTo(69);
            assertThat(gaveUp.errLines())
                    .singleElement()
                    .asString()
                    .contains("unreachable for 3s", "jobs/busy");
        } finally {
            if (exec != null && exec.process.isAlive()) {
                exec.kill();
            }
            if (server.process.isAlive()) {
                server.kill();
            }
        }
    }

    @Test
    void serverRejectsABadPort() {
        Cli.Result r = Cli.run(dir, RUN, "server", "--port", "70000");
        assertThat(r.code()).isEqualTo(64);
        assertThat(r.errLines())
                .singleElement()
                .asString()
                .contains("--port must be between 0 and 65535");
    }
}
