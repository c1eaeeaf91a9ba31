package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.FencedLease;
import dev.baton.faults.FaultProxy;
import dev.baton.mem.MemEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clients without Java in {@code clients/} (curl-session.sh, python/baton_run.py), run as child
 * processes against a real gateway. Skipped, loudly, where python3 or curl is missing.
 */
class ClientsTest {
    private static final Path CLIENTS = clientsDir();
    private static final boolean PYTHON = onPath("python3");
    private static final boolean CURL = onPath("curl");
    private static final Pattern SESSION = Pattern.compile("baton_run: session ([0-9a-f]+)");

    private final GatewayFixture f = new GatewayFixture();
    @TempDir Path dir;

    private final List<Script> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(Script::kill); // a failed test leaves no script or command running
        f.close();
    }

    // ------------------------------------------------------------------------ curl-session.sh

    @Test
    void theCurlSessionRunsEveryStepAndLeavesNothingBehind() throws Exception {
        assumeCurl();
        Script s = curlSession(f.gateway.uri(), Map.of());
        assertThat(s.exit()).as("%s", s).isZero();
        assertThat(s.stdout()).contains("== 7. end the session").endsWith("done\n");

        long token = Long.parseLong(find(s.stdout(), "fencing token (\\d+)"));
        Http.Response kv = f.http.get("/v1/kv/demo/orders-state");
        assertThat(kv.status()).isEqualTo(200);
        assertThat(Http.JSON.readTree(kv.raw().body()).get("fencingToken").asLong())
                .as("the value carries the lease's token")
                .isEqualTo(token);
        assertNothingHeld("demo/orders");

        // Again: now the key exists, so the write is If-Match on its ETag.
        Script again = curlSession(f.gateway.uri(), Map.of());
        assertThat(again.exit()).as("%s", again).isZero();
        assertThat(again.stdout()).contains("If-Match: \"1\"");
        assertNothingHeld("demo/orders");
    }

    @Test
    void theCurlSessionStopsAtAnUnexpectedStatusAndEndsItsSession() throws Exception {
        assumeCurl();
        String holder = f.http.session("30s");
        assertThat(f.http.acquire(holder, "demo/orders", "0s").status()).isEqualTo(200);

        Script s = curlSession(f.gateway.uri(), Map.of("BATON_WAIT", "0s"));
        assertThat(s.exit()).as("%s", s).isEqualTo(1);
        assertThat(s.stdout())
                .contains("\n409 {")
                .contains("\"error\":\"busy\"")
                .doesNotContain("== 3.");
        assertThat(s.stderr()).contains("expected 200, got 409");
        String session = find(s.stdout(), "\"id\":\"([0-9a-f]+)\"");
        assertThat(keepAlive(session)).as("the script ended its session").isEqualTo(404);
        assertThat(f.http.get("/v1/kv/demo/orders-state").status()).isEqualTo(404);
    }

    // ------------------------------------------------------------------------ baton_run.py

    @Test
    void aCommandRunsUnderTheLockWithItsTokenAndItsExitStatusPassesThrough() throws Exception {
        assumePython();
        Path seen = dir.resolve("seen");
        Path go = dir.resolve("go");
        Script s =
                batonRun(
                        f.gateway.uri(),
                        List.of("-v", "jobs/nightly"),
                        "echo \"$BATON_LOCK $BATON_FENCING_TOKEN\" > \"$1\";"
                                + " while [ ! -e \"$2\" ]; do sleep 0.1; done; exit 7",
                        seen,
                        go);
        awaitContent(seen, s);
        String[] env = read(seen).trim().split(" ");
        assertThat(env[0]).isEqualTo("jobs/nightly");

        JsonNode locks = f.http.get("/v1/locks?prefix=jobs").json();
        assertThat(locks).hasSize(1);
        assertThat(locks.at("/0/name").asText()).isEqualTo("jobs/nightly");
        assertThat(locks.at("/0/holders/0/token").asLong())
                .as("BATON_FENCING_TOKEN is the token the gateway shows for the holder")
                .isEqualTo(Long.parseLong(env[1]))
                .isPositive();

        Files.createFile(go);
        assertThat(s.exit()).as("%s", s).isEqualTo(7);
        assertNothingHeld("jobs/nightly");
        assertThat(keepAlive(sessionOf(s))).as("session deleted").isEqualTo(404);
    }

    @Test
    void aNameHeldByAnotherSessionIsBusy75AndTheCommandNeverRuns() throws Exception {
        assumePython();
        String holder = f.http.session("30s");
        long token = f.http.acquire(holder, "jobs/busy", "0s").json().get("token").asLong();
        Path ran = dir.resolve("ran");

        Script s =
                batonRun(
                        f.gateway.uri(),
                        List.of("-v", "--wait", "0s", "jobs/busy"),
                        "touch \"$1\"",
                        ran);
        assertThat(s.exit()).as("%s", s).isEqualTo(75);
        assertThat(s.stderr()).contains("not acquired within 0s").contains("token " + token + ",");
        assertThat(ran).doesNotExist();
        assertThat(keepAlive(sessionOf(s))).as("session deleted").isEqualTo(404);

        // The checker: with the holder gone the same run is granted.
        f.http.delete("/v1/sessions/" + holder);
        Script free =
                batonRun(
                        f.gateway.uri(), List.of("--wait", "0s", "jobs/busy"), "touch \"$1\"", ran);
        assertThat(free.exit()).as("%s", free).isZero();
        assertThat(ran).exists();
    }

    @Test
    void aLeaseLostInTheEngineArrivesAsLeaseLostAndEndsTheCommandWith70() throws Exception {
        assumePython();
        Path term = dir.resolve("term");
        Path pid = dir.resolve("pid");
        // A 1 h TTL: no keep-alive is due, so only the event stream can tell the script.
        Script s =
                batonRun(
                        f.gateway.uri(),
                        List.of("-v", "--ttl", "1h", "jobs/engine"),
                        gracefulChild(),
                        term,
                        pid);
        awaitContent(pid, s);

        MemEngine.named(f.engine).expire(f.baton.clientId());

        assertThat(s.exit()).as("%s", s).isEqualTo(70);
        assertThat(s.stderr())
                .contains("event lease-lost")
                .contains("the gateway reported the lease lost (engine: SESSION_EXPIRED)");
        assertThat(read(term)).as("the command got SIGTERM").isEqualTo("TERM\n");
        awaitDead(pid);
        assertThat(keepAlive(sessionOf(s))).as("session deleted").isEqualTo(404);
    }

    @Test
    void aSessionEndedUnderTheCommandIs70AndSigkillFollowsAnIgnoredSigterm() throws Exception {
        assumePython();
        Path pid = dir.resolve("pid");
        // Ignores SIGTERM (so does the sleep it becomes): only SIGKILL after --grace ends it.
        Script s =
                batonRun(
                        f.gateway.uri(),
                        List.of("-v", "--ttl", "1h", "--grace", "1s", "jobs/deleted"),
                        "trap '' TERM; echo $$ > \"$1\"; exec sleep 300",
                        pid);
        awaitContent(pid, s);

        assertThat(f.http.delete("/v1/sessions/" + sessionOf(s)).status()).isEqualTo(204);

        assertThat(s.exit()).as("%s", s).isEqualTo(70);
        assertThat(s.stderr())
                .contains("event session-ended")
                .contains("the gateway ended the session (closed)")
                .contains("SIGKILL")
                .contains("exit status 137");
        awaitDead(pid);
        assertNothingHeld("jobs/deleted");
    }

    @Test
    void aStoppingGatewayEndsTheSessionAndTheCommandWith70() throws Exception {
        assumePython();
        // Its own gateway on the fixture's client: the fixture closes only its own.
        Gateway g = Gateway.start(GatewayConfig.builder(f.baton).port(0).build());
        Path term = dir.resolve("term");
        Path pid = dir.resolve("pid");
        Script s;
        try {
            s =
                    batonRun(
                            g.uri(),
                            List.of("-v", "--ttl", "1h", "jobs/stopping"),
                            gracefulChild(),
                            term,
                            pid);
            awaitContent(pid, s);
        } finally {
            g.close();
        }
        assertThat(s.exit()).as("%s", s).isEqualTo(70);
        assertThat(s.stderr()).contains("the gateway ended the session (gateway stopped)");
        assertThat(read(term)).as("the command got SIGTERM").isEqualTo("TERM\n");
        awaitDead(pid);
        assertNothingHeld("jobs/stopping");
    }

    @Test
    void cutOffFromTheGatewayTheScriptStopsByItsOwnClockWith70() throws Exception {
        assumePython();
        Path term = dir.resolve("term");
        Path pid = dir.resolve("pid");
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", f.gateway.port())) {
            Script s =
                    batonRun(
                            "http://127.0.0.1:" + proxy.port(),
                            List.of("-v", "--ttl", "3s", "jobs/cutoff"),
                            gracefulChild(),
                            term,
                            pid);
            awaitContent(pid, s);

            // Nothing arrives either way now: no keep-alive answer, no event. Only the time left,
            // counted from the last keep-alive sent that was answered, can end the command.
            proxy.blackhole();
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(term));
            proxy.pass(); // lets the script release and end its session rather than time out

            assertThat(s.exit()).as("%s", s).isEqualTo(70);
            assertThat(s.stderr()).contains("no keep-alive confirmed in time");
            awaitDead(pid);
        }
    }

    @Test
    void sigtermToTheScriptIsForwardedToTheCommandWhoseStatusIsReturned() throws Exception {
        assumePython();
        Path term = dir.resolve("term");
        Path pid = dir.resolve("pid");
        Script s =
                batonRun(
                        f.gateway.uri(),
                        List.of("-v", "jobs/signalled"),
                        "trap 'echo TERM > \"$1\"; exit 9' TERM; echo $$ > \"$2\";"
                                + " while :; do sleep 1; done",
                        term,
                        pid);
        awaitContent(pid, s);

        s.process.destroy(); // SIGTERM

        assertThat(s.exit()).as("%s", s).isEqualTo(9);
        assertThat(read(term)).isEqualTo("TERM\n");
        assertNothingHeld("jobs/signalled");
        assertThat(keepAlive(sessionOf(s))).as("session deleted").isEqualTo(404);
    }

    @Test
    void aCommandKilledBySignalNIs128PlusN() throws Exception {
        assumePython();
        Script s = batonRun(f.gateway.uri(), List.of("jobs/killed"), "kill -9 $$");
        assertThat(s.exit()).as("%s", s).isEqualTo(128 + 9);
        assertNothingHeld("jobs/killed");
    }

    @Test
    void aCommandNotFoundIs127AndOneNotExecutableIs126() throws Exception {
        assumePython();
        Script missing =
                script(
                        pythonRun(
                                f.gateway.uri(),
                                List.of("-v", "jobs/x", "--", dir.resolve("missing").toString())),
                        Map.of());
        assertThat(missing.exit()).as("%s", missing).isEqualTo(127);
        assertThat(missing.stderr()).contains("command not found");
        assertThat(keepAlive(sessionOf(missing))).as("session deleted").isEqualTo(404);

        Path plain = Files.writeString(dir.resolve("plain.sh"), "#!/bin/sh\nexit 0\n");
        Script notExecutable =
                script(
                        pythonRun(f.gateway.uri(), List.of("jobs/x", "--", plain.toString())),
                        Map.of());
        assertThat(notExecutable.exit()).as("%s", notExecutable).isEqualTo(126);
        assertNothingHeld("jobs/x");

        // The checker: the same file, executable, runs.
        assertThat(plain.toFile().setExecutable(true)).isTrue();
        Script runs =
                script(
                        pythonRun(f.gateway.uri(), List.of("jobs/x", "--", plain.toString())),
                        Map.of());
        assertThat(runs.exit()).as("%s", runs).isZero();
    }

    @Test
    void badUsageIs64AndTouchesNoGateway() throws Exception {
        assumePython();
        String url = f.gateway.uri();
        for (List<String> args :
                List.of(
                        List.of("jobs/x", "true"), // no --
                        List.of("jobs/x", "--"), // no command
                        List.of("--ttl", "5x", "jobs/x", "--", "true"),
                        List.of("--bogus", "jobs/x", "--", "true"),
                        List.of("jobs//x", "--", "true"),
                        List.of("--", "true"))) {
            Script s = script(pythonRun(url, args), Map.of());
            assertThat(s.exit()).as("%s: %s", args, s).isEqualTo(64);
            assertThat(s.stderr()).as("%s", args).contains("usage: baton_run.py");
        }
        assertThat(f.http.get("/v1/locks").json()).isEmpty();
        Script help = script(pythonRun(url, List.of("--help")), Map.of());
        assertThat(help.exit()).as("%s", help).isZero();
        assertThat(help.stdout()).contains("Exit status").contains("  70      lease lost");
        Script fine = script(pythonRun(url, List.of("jobs/x", "--", "true")), Map.of());
        assertThat(fine.exit()).as("the checker: well-formed, it runs: %s", fine).isZero();
    }

    @Test
    void aGatewayNobodyListensOnIs69() throws Exception {
        assumePython();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed: nothing listens there
        }
        Script s =
                batonRun(
                        "http://127.0.0.1:" + port,
                        List.of("jobs/x"),
                        "touch \"$1\"",
                        dir.resolve("ran"));
        assertThat(s.exit()).as("%s", s).isEqualTo(69);
        assertThat(s.stderr()).contains("unreachable");
        assertThat(dir.resolve("ran")).doesNotExist();
    }

    @Test
    void bothClientsSendTheBearerToken() throws Exception {
        assumeCurl();
        assumePython();
        String token = "ops-token-0123456789abcdef";
        String rules =
                "{\"tokens\": [{\"id\": \"ops\", \"token\": \"%s\", \"allow\": {\"\": [\"admin\"]}}]}"
                        .formatted(token);
        try (GatewayFixture secured =
                new GatewayFixture(b -> b.auth(AccessRules.parse(rules, "test")))) {
            String url = secured.gateway.uri();
            Script curl = curlSession(url, Map.of("BATON_TOKEN", token));
            assertThat(curl.exit()).as("%s", curl).isZero();
            assertThat(curl.stdout()).doesNotContain(token);
            Script curlWithout = curlSession(url, Map.of());
            assertThat(curlWithout.exit()).as("%s", curlWithout).isEqualTo(1);
            assertThat(curlWithout.stderr()).contains("expected 201, got 401");

            List<String> args = List.of("jobs/x", "--", "true");
            Script run = script(pythonRun(url, args), Map.of("BATON_TOKEN", token));
            assertThat(run.exit()).as("%s", run).isZero();
            Script without = script(pythonRun(url, args), Map.of());
            assertThat(without.exit()).as("%s", without).isEqualTo(69);
            assertThat(without.stderr()).contains("401 unauthorized");
        }
    }

    // ------------------------------------------------------------------------ helpers

    /** Writes "TERM" to $1 on SIGTERM and exits 143; its pid to $2; runs until then. */
    private static String gracefulChild() {
        return "trap 'echo TERM > \"$1\"; exit 143' TERM; echo $$ > \"$2\";"
                + " while :; do sleep 1; done";
    }

    private Script curlSession(String url, Map<String, String> env) {
        return script(List.of("bash", CLIENTS.resolve("curl-session.sh").toString(), url), env);
    }

    /** baton_run.py with {@code args} and {@code sh -c shell sh paths...} as its command. */
    private Script batonRun(String url, List<String> args, String shell, Path... paths) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--", "sh", "-c", shell, "sh"));
        for (Path p : paths) {
            all.add(p.toString());
        }
        return script(pythonRun(url, all), Map.of());
    }

    private static List<String> pythonRun(String url, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("python3");
        cmd.add(CLIENTS.resolve("python/baton_run.py").toString());
        cmd.add("--url=" + url);
        cmd.addAll(args);
        return cmd;
    }

    private final AtomicInteger scripts = new AtomicInteger();

    private Script script(List<String> command, Map<String, String> env) {
        int n = scripts.incrementAndGet();
        Path out = dir.resolve("script-" + n + ".out");
        Path err = dir.resolve("script-" + n + ".err");
        ProcessBuilder pb =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(devNull()))
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
        pb.environment().remove("BATON_TOKEN");
        pb.environment().remove("BATON_URL");
        pb.environment().remove("BATON_WAIT");
        pb.environment().putAll(env);
        try {
            Script s = new Script(pb.start(), out, err);
            started.add(s);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static java.io.File devNull() {
        return new java.io.File("/dev/null");
    }

    /** A started script; its output goes to files, so it never blocks on a full pipe. */
    private record Script(Process process, Path out, Path err) {
        int exit() throws InterruptedException {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                String state = toString();
                kill();
                throw new AssertionError("still running after 60 s: " + state);
            }
            return process.exitValue();
        }

        /** The script and its command (in a session of its own, so not signalled with it). */
        void kill() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }

        String stdout() {
            return read(out);
        }

        String stderr() {
            return read(err);
        }

        @Override
        public String toString() {
            return "exit "
                    + (process.isAlive() ? "(running)" : process.exitValue())
                    + "\n--- stdout\n"
                    + stdout()
                    + "--- stderr\n"
                    + stderr();
        }
    }

    /** The session id baton_run.py -v prints first. */
    private static String sessionOf(Script s) {
        await().atMost(Duration.ofSeconds(30)).until(() -> SESSION.matcher(s.stderr()).find());
        Matcher m = SESSION.matcher(s.stderr());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private int keepAlive(String session) {
        return f.http.post("/v1/sessions/" + session + "/keepalive", "").status();
    }

    /** Nobody holds {@code name}: the gateway lists no holder and a library client gets it now. */
    private void assertNothingHeld(String name) {
        JsonNode locks = f.http.get("/v1/locks?prefix=" + name).json();
        for (JsonNode lock : locks) {
            assertThat(lock.get("holders")).as("%s", locks).isEmpty();
        }
        Optional<FencedLease> lease = f.other.mutex(name).tryAcquire();
        assertThat(lease).as("%s is free in the engine", name).isPresent();
        lease.get().release();
    }

    /** Waits for {@code file} to hold a whole line (the script's command wrote it). */
    private static void awaitContent(Path file, Script s) {
        await().atMost(Duration.ofSeconds(30))
                .failFast("the script ended: " + s, () -> !s.process.isAlive())
                .until(() -> Files.exists(file) && read(file).endsWith("\n"));
    }

    /** Waits until the process whose pid {@code file} holds is gone. */
    private static void awaitDead(Path file) {
        long pid = Long.parseLong(read(file).trim());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("/%s/ in:\n%s", regex, text).isTrue();
        return m.group(1);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assumePython() {
        assumeTrue(
                PYTHON,
                "SKIPPED: python3 is not on the PATH, so clients/python/baton_run.py is NOT tested");
    }

    private static void assumeCurl() {
        assumeTrue(
                CURL && (PYTHON || onPath("jq")),
                "SKIPPED: curl (and python3 or jq) not on the PATH, so clients/curl-session.sh is"
                        + " NOT tested");
    }

    private static boolean onPath(String tool) {
        try {
            Process p =
                    new ProcessBuilder(tool, "--version")
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code clients/} of the repository, found upwards from the working directory. */
    private static Path clientsDir() {
        Path start = Path.of("").toAbsolutePath();
        for (Path d = start; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("clients/python/baton_run.py"))) {
                return d.resolve("clients");
            }
        }
        throw new IllegalStateException("no clients/python/baton_run.py above " + start);
    }
}
