package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.Baton;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code baton serve} as a real process over a real {@code baton server}: it prints its URL, serves
 * a lock over HTTP that {@code baton locks --json} shows in the same form, and SIGTERM releases
 * what it holds. Bad input is refused before any engine is contacted.
 */
class ServeCommandTest {
    private static final Duration RUN = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir Path dir;

    @Test
    void servesLocksOverHttpAndReleasesThemOnSigterm() throws Exception {
        Cli.Running server = Cli.start(dir, Map.of(), "server", "--port", "0");
        try {
            await().atMost(RUN).until(() -> server.out().contains("\n"));
            String zk = server.out().lines().findFirst().orElseThrow();

            Cli.Running serve =
                    Cli.start(dir, Map.of(), "serve", "--connect", zk, "--http-port", "0");
            String url;
            try {
                await().atMost(RUN).until(() -> serve.out().contains("\n"));
                url = serve.out().lines().findFirst().orElseThrow();
                assertThat(url).matches("http://127\\.0\\.0\\.1:\\d+");
                // stderr is read by its own pump, so its warning may land after stdout's line.
                await().atMost(RUN)
                        .untilAsserted(
                                () ->
                                        assertThat(serve.err())
                                                .contains("loopback only", "--auth FILE"));

                JsonNode session = post(url + "/v1/sessions", "{\"ttl\":\"30s\"}", 201);
                JsonNode grant =
                        post(
                                url + "/v1/locks/acquire",
                                "{\"name\":\"jobs/nightly\",\"session\":\""
                                        + session.path("id").asText()
                                        + "\",\"wait\":\"5s\"}",
                                200);
                long token = grant.path("token").asLong();
                assertThat(token).isPositive();

                JsonNode listed = get(url + "/v1/locks?prefix=jobs").get(0);
                Cli.Result cli = Cli.run(dir, RUN, "locks", "--connect", zk, "--json", "jobs");
                assertThat(cli.code()).as("stderr: %s", cli.err()).isZero();
                JsonNode fromCli = Json.MAPPER.readTree(cli.out().lines().findFirst().get());
                // One form for both; the time held differs between the two reads, and the gateway
                // adds what only it knows: the session holding the lease, its owner and name.
                com.fasterxml.jackson.databind.node.ObjectNode viaHttp =
                        (com.fasterxml.jackson.databind.node.ObjectNode)
                                listed.path("holders").get(0);
                assertThat(viaHttp.remove("session").asText())
                        .isEqualTo(session.path("id").asText());
                viaHttp.remove(java.util.List.of("owner", "client", "heldForMs"));
                ((com.fasterxml.jackson.databind.node.ObjectNode) fromCli.path("holders").get(0))
                        .remove("heldForMs");
                assertThat(fromCli).isEqualTo(listed);
                assertThat(listed.path("holders").get(0).path("token").asLong()).isEqualTo(token);
            } finally {
                serve.process.destroy(); // SIGTERM: the hook closes the gateway, then the client
                Cli.Result r = serve.await(RUN);
                assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(143);
            }
            try (Baton client = Baton.connect(zk)) {
                assertThat(client.locks("jobs"))
                        .as("released on shutdown, not left to expire")
                        .isEmpty();
            }
        } finally {
            server.process.destroy();
            server.await(RUN);
        }
    }

    /**
     * Checked before connecting: the engine URI points at a closed port, so a check made after
     * connecting would answer 69 (unreachable), not 64.
     */
    @Test
    void badInputIs64AndTouchesNoEngine() throws Exception {
        String nowhere = "zookeeper://127.0.0.1:1";
        assertUsage(
                run("serve", "--connect", nowhere, "--bind", "0.0.0.0"),
                "bind \"0.0.0.0\" is not loopback",
                "--auth FILE");
        assertUsage(
                run("serve", "--connect", nowhere, "--auth", dir.resolve("none.json").toString()),
                "cannot read the auth file",
                "none.json");
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"tokens\":[{\"id\":\"a\"}]}");
        assertUsage(run("serve", "--connect", nowhere, "--auth", bad.toString()), "bad.json");
        assertUsage(
                run("serve", "--connect", nowhere, "--http-port", "70000"),
                "--http-port must be between 0 and 65535, but was 70000");
        assertUsage(
                run("serve", "--connect", nowhere, "--max-monitor-waits", "0"),
                "--max-monitor-waits must be at least 1, but was 0");
        // The checker's rejecting case: with nothing wrong but the engine, it is 69.
        Run unreachable = run("serve", "--connect", nowhere, "--connect-timeout", "1s");
        assertThat(unreachable.code()).as("stderr: %s", unreachable.err()).isEqualTo(69);
    }

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                new BatonCli(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true))
                        .execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static void assertUsage(Run r, String... mentions) {
        assertThat(r.code()).as("exit status; stderr: %s", r.err()).isEqualTo(64);
        assertThat(r.err().lines().filter(l -> !l.isBlank())).hasSize(1);
        assertThat(r.err()).contains(mentions);
        assertThat(r.out()).isEmpty();
    }

    private static JsonNode post(String url, String body, int status) throws Exception {
        HttpResponse<String> r =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST %s: %s", url, r.body()).isEqualTo(status);
        return Json.MAPPER.readTree(r.body());
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> r =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", url, r.body()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }
}
