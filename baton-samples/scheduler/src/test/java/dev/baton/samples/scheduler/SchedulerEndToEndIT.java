package dev.baton.samples.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.faults.RedisServer;
import dev.baton.zookeeper.EmbeddedZooKeeper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sample as it is deployed: three copies of the executable jar ({@code java -jar
 * baton-sample-scheduler.jar}, real processes) share one journal file and one engine, a real
 * ZooKeeper (the server {@code baton server} runs, in this JVM) or a real {@code redis-server}.
 *
 * <ol>
 *   <li>Every copy answers {@code /actuator/health} (component {@code baton} UP), {@code
 *       /actuator/baton} (the leader shows its {@code settlement} lease) and the {@code
 *       baton.lease.held} meter; {@code /locking} hands a task to one copy at a time across them.
 *   <li>The leader is killed with SIGKILL right after it journals a {@code start}: another copy
 *       journals a {@code start} within the lease TTL + 2 s of the kill.
 *   <li>The new leader is frozen with SIGSTOP right after it journals a {@code start}, for three
 *       lease TTLs, while the third copy takes over; resumed, it writes nothing more to the journal
 *       (watched for two TTLs): not the {@code end} of the run it was frozen in, not a new run.
 *   <li>The whole journal passes {@link JournalCheck}: runs never overlap, tokens never decrease
 *       and rise at each change of leader, and only the killed and the frozen copy left a run open.
 * </ol>
 *
 * <p>The frozen copy's silence rests on the journal's {@code ensureValid()} before each write: a
 * thread resuming from SIGSTOP reads the clock and finds its lease lost. Only a stop landing in the
 * microseconds between that check and the write could let one line through; the test stops the copy
 * while its run sleeps in its 200 ms of work, far from either write.
 *
 * <p>Numbers (failover times, whether the stop caught a run mid-way) are printed to the test's
 * output; each copy's log and the journal stay in {@code target/e2e/<engine>/}.
 */
class SchedulerEndToEndIT {
    private static final Duration TTL = Duration.ofSeconds(3);

    /** The promise: a new leader settles within the lease TTL + 2 s of a kill -9. */
    private static final Duration FAILOVER_BOUND = TTL.plusSeconds(2);

    private static final Duration POLL = Duration.ofMillis(20);

    private final List<SampleInstance> instances = new ArrayList<>();
    private Path journal;

    @AfterEach
    void stopInstances() {
        for (SampleInstance i : instances) {
            i.close();
        }
        instances.clear();
    }

    @Test
    void zooKeeper() throws IOException {
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(0, null)) {
            try {
                scenario("zookeeper", zk.uri());
            } finally {
                stopInstances(); // before the engine goes
            }
        }
    }

    @Test
    void redis() throws IOException {
        try (RedisServer redis = RedisServer.start()) {
            try {
                scenario("redis", redis.uri());
            } finally {
                stopInstances();
            }
        }
    }

    private void scenario(String engine, String connect) throws IOException {
        Path jar = Path.of(System.getProperty("sample.jar", "target/baton-sample-scheduler.jar"));
        assertThat(jar).as("the executable jar, built by `package`").isRegularFile();
        Path dir = Path.of(System.getProperty("sample.workdir", "target/e2e")).resolve(engine);
        deleteRecursively(dir);
        Files.createDirectories(dir);
        journal = dir.resolve("settlement.journal");

        // Three copies, healthy.
        long began = System.nanoTime();
        for (String name : List.of("a", "b", "c")) {
            instances.add(SampleInstance.start(jar, name, connect, journal, TTL, dir));
        }
        for (SampleInstance i : instances) {
            await().alias(i + " healthy")
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .until(() -> isUp(i));
        }
        report(engine, "three copies healthy after %d ms", millisSince(began));

        // Who leads, and what each copy shows of it.
        SampleInstance first =
                await().alias("one leader of settlement")
                        .atMost(Duration.ofSeconds(20))
                        .ignoreExceptions()
                        .until(this::soleLeader, Optional::isPresent)
                        .orElseThrow();
        JournalCheck.Line firstRun = awaitStart(first);
        checkActuator(first, firstRun.token(), connect);
        checkLocking(instances.get(0), instances.get(1));

        // 1. kill -9 the leader in the middle of a run.
        JournalCheck.Line killedRun = awaitStart(first);
        int killMark = lines().size();
        long killedAt = System.nanoTime();
        first.kill();
        JournalCheck.Line takeover =
                await().alias("a start by another copy within TTL + 2 s of the kill")
                        .atMost(FAILOVER_BOUND)
                        .pollInterval(POLL)
                        .until(
                                () -> firstStart(killMark, l -> l.pid() != first.pid()),
                                Objects::nonNull);
        long killFailover = millisSince(killedAt);
        assertThat(takeover.token()).isGreaterThan(killedRun.token());
        report(
                engine,
                "kill -9 of %s during run %d: %s took over (token %d) after %d ms (bound %d ms)",
                first.label(),
                killedRun.token(),
                name(takeover.pid()),
                takeover.token(),
                killFailover,
                FAILOVER_BOUND.toMillis());

        // 2. SIGSTOP the new leader in the middle of a run, for three TTLs.
        SampleInstance second = byPid(takeover.pid());
        JournalCheck.Line pausedRun = awaitStart(second);
        second.pause();
        long pausedAt = System.nanoTime();
        int stopMark = lines().size(); // every line the paused copy wrote is before this
        boolean midRun = lastLineOf(second.pid(), stopMark).event() == JournalCheck.Event.START;
        JournalCheck.Line third =
                await().alias("a start by another copy while the leader is stopped")
                        .atMost(TTL.multipliedBy(3))
                        .pollInterval(POLL)
                        .until(
                                () -> firstStart(stopMark, l -> l.pid() != second.pid()),
                                Objects::nonNull);
        long pauseFailover = millisSince(pausedAt);
        assertThat(third.token()).isGreaterThan(pausedRun.token());
        await().alias("three TTLs stopped")
                .atMost(TTL.multipliedBy(3).plusSeconds(1))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> millisSince(pausedAt) >= TTL.multipliedBy(3).toMillis());
        second.resume();
        long stoppedFor = millisSince(pausedAt);
        await().alias("no journal line from the resumed copy for 2 TTLs")
                .during(TTL.multipliedBy(2))
                .atMost(TTL.multipliedBy(2).plusSeconds(2))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(
                        () ->
                                assertThat(linesOf(second.pid(), stopMark))
                                        .as("lines of %s after it was stopped", second)
                                        .isEmpty());
        await().alias(second + " healthy again, a follower")
                .atMost(Duration.ofSeconds(20))
                .ignoreExceptions()
                .untilAsserted(
                        () -> {
                            assertThat(isUp(second)).isTrue();
                            assertThat(leading(second)).isEmpty();
                        });
        assertThat(linesOf(second.pid(), stopMark)).isEmpty();
        report(
                engine,
                "SIGSTOP of %s %s run %d for %d ms: %s took over (token %d) after %d ms; resumed,"
                        + " it wrote nothing in the %d s watched",
                second.label(),
                midRun ? "in the middle of" : "after",
                pausedRun.token(),
                stoppedFor,
                name(third.pid()),
                third.token(),
                pauseFailover,
                TTL.multipliedBy(2).toSeconds());

        // 3. The whole journal.
        List<JournalCheck.Line> all = lines();
        JournalCheck.Result result = JournalCheck.check(all);
        assertThat(result.violations()).as("journal %s", journal).isEmpty();
        assertThat(result.abandonedPids()).isSubsetOf(first.pid(), second.pid());
        assertThat(result.leaders()).containsExactly(first.pid(), second.pid(), third.pid());
        report(
                engine,
                "journal: %d lines, %d runs, leaders %s, abandoned runs %s; total %d ms",
                all.size(),
                result.runs().size(),
                result.leaders(),
                result.abandoned(),
                millisSince(began));
    }

    // ------------------------------------------------------------------ actuator and /locking

    private void checkActuator(SampleInstance leader, long token, String connect) {
        for (SampleInstance i : instances) {
            boolean leads = i == leader;
            SampleInstance.Response health = i.get("/actuator/health");
            assertThat(health.status()).as(health.body()).isEqualTo(200);
            assertThat((String) health.at("components", "baton", "status")).isEqualTo("UP");

            SampleInstance.Response baton = i.get("/actuator/baton");
            assertThat(baton.status()).as(baton.body()).isEqualTo(200);
            assertThat((String) baton.at("uri")).isEqualTo(connect);
            assertThat(leading(i)).isEqualTo(leads ? List.of(SettlementJob.ELECTION) : List.of());
            List<Map<String, Object>> leases = baton.at("leases");
            if (leads) {
                assertThat(leases)
                        .as(baton.body())
                        .anySatisfy(
                                l -> {
                                    assertThat(l.get("name")).isEqualTo(SettlementJob.ELECTION);
                                    assertThat(l.get("kind")).isEqualTo("LEADERSHIP");
                                    assertThat(l.get("state")).isEqualTo("HELD");
                                    assertThat(((Number) l.get("token")).longValue())
                                            .isEqualTo(token);
                                });
            } else {
                assertThat(leases).as(baton.body()).isEmpty();
            }
            List<Map<String, Object>> locks = baton.at("locks");
            assertThat(locks)
                    .as(baton.body())
                    .anySatisfy(
                            l -> {
                                assertThat(l.get("name")).isEqualTo(SettlementJob.ELECTION);
                                assertThat(l.get("holders").toString()).contains(client(leader));
                            });

            SampleInstance.Response held = i.get("/actuator/metrics/baton.lease.held");
            assertThat(held.status()).as(held.body()).isEqualTo(200);
            List<Map<String, Object>> measurements = held.at("measurements");
            assertThat(((Number) measurements.get(0).get("value")).intValue())
                    .as("%s: %s", i, held.body())
                    .isEqualTo(leads ? 1 : 0);
        }
    }

    /** One task lock across two copies: granted to one, refused to the other, handed over. */
    private void checkLocking(SampleInstance a, SampleInstance b) {
        SampleInstance.Response granted = a.post("/locking/report-7");
        assertThat(granted.status()).as(granted.body()).isEqualTo(201);
        assertThat((String) granted.at("lock")).isEqualTo("tasks/report-7");
        long token = ((Number) granted.at("token")).longValue();

        SampleInstance.Response busy = b.post("/locking/report-7");
        assertThat(busy.status()).as(busy.body()).isEqualTo(409);
        assertThat(busy.body()).contains(client(a));
        SampleInstance.Response runBusy = b.post("/locking/report-7/run");
        assertThat(runBusy.status()).as(runBusy.body()).isEqualTo(409);
        assertThat(b.delete("/locking/report-7").status()).isEqualTo(404);

        SampleInstance.Response seenByB = b.get("/locking");
        assertThat((List<?>) seenByB.at("held")).isEmpty();
        assertThat(seenByB.body()).contains("tasks/report-7", client(a));
        assertThat(a.get("/locking").body()).contains("\"task\":\"report-7\"");

        SampleInstance.Response invalid = a.post("/locking/bad%20name");
        assertThat(invalid.status()).as(invalid.body()).isEqualTo(400);
        assertThat((String) invalid.at("detail"))
                .contains("\"tasks/bad name\" is invalid")
                .contains("[A-Za-z0-9._-]");

        assertThat(a.delete("/locking/report-7").status()).isEqualTo(204);
        SampleInstance.Response ran = b.post("/locking/report-7/run");
        assertThat(ran.status()).as(ran.body()).isEqualTo(200);
        assertThat(((Number) ran.at("token")).longValue()).isGreaterThan(token);
        assertThat((String) ran.at("holder")).isEqualTo(client(b));
    }

    private static boolean isUp(SampleInstance i) {
        SampleInstance.Response health = i.get("/actuator/health");
        return health.status() == 200 && "UP".equals(health.at("components", "baton", "status"));
    }

    private static List<String> leading(SampleInstance i) {
        return i.get("/actuator/baton").at("leading");
    }

    private static String client(SampleInstance i) {
        return i.get("/actuator/baton").at("client");
    }

    /** The one live copy that says it leads settlement, if exactly one does. */
    private Optional<SampleInstance> soleLeader() {
        List<SampleInstance> leaders =
                instances.stream()
                        .filter(SampleInstance::isAlive)
                        .filter(i -> leading(i).contains(SettlementJob.ELECTION))
                        .toList();
        return leaders.size() == 1 ? Optional.of(leaders.get(0)) : Optional.empty();
    }

    // ------------------------------------------------------------------ the journal

    private List<JournalCheck.Line> lines() {
        try {
            return Files.exists(journal)
                    ? JournalCheck.parse(Files.readString(journal, StandardCharsets.US_ASCII))
                    : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first start line at or after {@code from} that matches; null if none yet. */
    private JournalCheck.Line firstStart(int from, Predicate<JournalCheck.Line> which) {
        List<JournalCheck.Line> all = lines();
        return all.subList(Math.min(from, all.size()), all.size()).stream()
                .filter(l -> l.event() == JournalCheck.Event.START && which.test(l))
                .findFirst()
                .orElse(null);
    }

    /** Waits for {@code i} to journal a new start (one after the lines seen now). */
    private JournalCheck.Line awaitStart(SampleInstance i) {
        int from = lines().size();
        return await().alias("a new run of " + i)
                .atMost(Duration.ofSeconds(5))
                .pollInterval(POLL)
                .until(() -> firstStart(from, l -> l.pid() == i.pid()), Objects::nonNull);
    }

    private List<JournalCheck.Line> linesOf(long pid, int from) {
        List<JournalCheck.Line> all = lines();
        return all.subList(Math.min(from, all.size()), all.size()).stream()
                .filter(l -> l.pid() == pid)
                .toList();
    }

    private JournalCheck.Line lastLineOf(long pid, int before) {
        List<JournalCheck.Line> own =
                lines().subList(0, before).stream().filter(l -> l.pid() == pid).toList();
        return own.get(own.size() - 1);
    }

    // ------------------------------------------------------------------ helpers

    private SampleInstance byPid(long pid) {
        return instances.stream().filter(i -> i.pid() == pid).findFirst().orElseThrow();
    }

    private String name(long pid) {
        return byPid(pid).label();
    }

    private static long millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }

    private static void report(String engine, String format, Object... args) {
        System.out.println("[e2e " + engine + "] " + String.format(format, args));
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
