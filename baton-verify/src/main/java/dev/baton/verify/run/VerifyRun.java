package dev.baton.verify.run;

import dev.baton.spi.ConnectionUri;
import dev.baton.verify.BufferRules;
import dev.baton.verify.CheckResult;
import dev.baton.verify.Checker;
import dev.baton.verify.History;
import dev.baton.verify.HistoryEvent;
import dev.baton.verify.HistoryEvent.Op;
import dev.baton.verify.HistoryEvent.Type;
import dev.baton.verify.Verdict;
import dev.baton.verify.Violation;
import dev.baton.verify.report.HtmlReport;
import dev.baton.verify.report.RunInfo;
import dev.baton.verify.report.SummaryTable;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One {@code baton verify} run: engine, fenced store, client processes and nemesis; then the
 * residue check, the checker, the verdict and the report files.
 *
 * <p>Order, which the results rely on: the nemesis is stopped and its last fault healed before the
 * clients are asked to stop; every client has exited (or been killed) before the engine is
 * inspected for residue; the store's final value is read after that, so it is final.
 *
 * <p>Threads: the caller's thread runs everything but the nemesis (its own thread) and the clients'
 * stdout pumps (see {@link ClientProcess}). The client table is guarded by {@code this}.
 */
public final class VerifyRun {

    /** What a run produced. */
    public record Outcome(
            RunInfo info, History history, CheckResult result, Verdict verdict, String summary) {
        /**
         * 0 when the workload ran (at least one grant), nothing the mode promises was broken and
         * the engine was left clean; else 1.
         */
        public int exitCode() {
            boolean ran = result.stats().grants() > 0;
            return ran && verdict.passed() && info.residue().isEmpty() ? 0 : 1;
        }
    }

    private final VerifyOptions options;
    private final PrintStream progress;
    private final String lockName;
    private final Map<String, ClientProcess> clients = new LinkedHashMap<>(); // key -> current
    private final Map<String, Integer> incarnations = new LinkedHashMap<>();
    private final AtomicBoolean cleaned = new AtomicBoolean();
    private final Thread hook = new Thread(this::cleanup, "verify-cleanup");
    private volatile Nemesis nemesis;
    private volatile Thread nemesisThread;
    private HistoryLog log;
    private EngineUnderTest engine;
    private FencedStore store; // register workload
    private FencedBuffer buffer; // buffer workload
    private boolean storeFencing;

    private VerifyRun(VerifyOptions options, PrintStream progress) {
        this.options = options;
        this.progress = progress;
        this.lockName =
                "verify-"
                        + Long.toHexString(options.seed() & 0xffffffL)
                        + "-"
                        + ProcessHandle.current().pid();
    }

    /** Runs to completion and writes the report directory. */
    public static Outcome run(VerifyOptions options, PrintStream progress) {
        return new VerifyRun(options, progress).execute();
    }

    private Outcome execute() {
        Path dir = options.reportDir();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create report directory " + dir, e);
        }
        Instant started = Instant.now();
        List<String> skipped = new ArrayList<>();
        log = new HistoryLog(dir.resolve("history.jsonl"));
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            engine = startEngine(skipped);
            List<Fault> faults = new ArrayList<>();
            for (Fault f : options.faults()) {
                Optional<String> why = engine.unsupported(f);
                if (why.isPresent()) {
                    skipped.add(f.label() + ": " + why.get());
                    progress.println("skipping fault " + f.label() + ": " + why.get());
                } else {
                    faults.add(f);
                }
            }
            storeFencing = options.fencing() && !options.backend().equals("redlock");
            if (options.fencing() && !storeFencing) {
                skipped.add(
                        "fencing: Redlock grants carry no token, so the store cannot check one;"
                                + " the run is unfenced");
            }
            String storeAddress;
            if (buffered()) {
                buffer = FencedBuffer.start(storeFencing);
                storeAddress = buffer.address();
            } else {
                store = FencedStore.start(storeFencing);
                storeAddress = store.address();
            }
            progress.printf(
                    Locale.ROOT,
                    "engine: %s; %s %s (%s)%s; %d clients for %s; faults: %s%n",
                    engine.description(),
                    buffered() ? "buffer of " + options.capacity() : "store",
                    storeAddress,
                    storeFencing ? "fenced" : "NOT fenced",
                    options.twoStep() ? "; CONTROL: two-step awaits" : "",
                    options.clients(),
                    options.duration(),
                    faults.isEmpty()
                            ? "none"
                            : String.join(",", faults.stream().map(Fault::label).toList()));
            for (int i = 1; i <= options.clients(); i++) {
                spawn("c" + i);
            }
            nemesis =
                    new Nemesis(
                            faults,
                            options.seed(),
                            options.ttl(),
                            engine,
                            new Nemesis.Clients() {
                                @Override
                                public List<ClientProcess> alive() {
                                    return aliveClients();
                                }

                                @Override
                                public String killAndRespawn(
                                        ClientProcess victim, Runnable afterKill) {
                                    synchronized (VerifyRun.this) {
                                        String key = victim.id().replaceFirst("#.*", "");
                                        if (clients.get(key) != victim || !victim.isAlive()) {
                                            return null; // it died on its own and was replaced
                                        }
                                        victim.kill();
                                        afterKill.run();
                                        return spawn(key);
                                    }
                                }
                            },
                            log);
            awaitClientsStarted();
            nemesisThread = new Thread(nemesis, "nemesis");
            nemesisThread.start();
            long end = System.nanoTime() + options.duration().toNanos();
            while (System.nanoTime() - end < 0) {
                sleep(Duration.ofNanos(Math.min(1_000_000_000L, end - System.nanoTime())));
                respawnCrashed(skipped);
            }
            nemesis.stop();
            join(nemesisThread);
            nemesis.errors().forEach(e -> skipped.add("fault failed: " + e));
            progress.println("workload done; stopping clients");
            stopClients();
            List<String> residue = awaitResidue();
            HistoryEvent finalRead =
                    HistoryEvent.of(
                            System.nanoTime(), Checker.FINAL_READ, Type.OK, Op.READ, lockName);
            log.append(
                    buffered()
                            ? finalRead.withItem(String.join(",", buffer.items(lockName)))
                            : finalRead.withRegister(null, store.value(lockName)));
            History history = log.history();
            CheckResult result = Checker.check(history);
            String bufferLine = "";
            if (buffered()) {
                BufferRules.Result rules = BufferRules.check(history, bufferBounds());
                List<Violation> all = new ArrayList<>(result.violations());
                all.addAll(rules.violations());
                all.sort(Comparator.comparing(Violation::kind)); // stable: time order kept
                result = new CheckResult(all, result.stats());
                BufferRules.Stats b = rules.stats();
                bufferLine =
                        String.format(
                                Locale.ROOT,
                                "buffer (capacity %d%s): %d puts, %d takes, largest %d, final %d;"
                                        + " %d awaits, %d signals (%d found a waiter), %d"
                                        + " wake-ups checked%n",
                                options.capacity(),
                                options.twoStep() ? ", CONTROL: two-step awaits" : "",
                                b.puts(),
                                b.takes(),
                                b.maxSize(),
                                b.finalSize(),
                                b.awaits(),
                                b.signals(),
                                b.signalsFound(),
                                b.wakeupsChecked());
            }
            Verdict verdict = verdict(history, result);
            RunInfo info =
                    new RunInfo(
                            options.backend(),
                            engine.description(),
                            storeFencing,
                            options.seed(),
                            options.duration(),
                            options.clients(),
                            options.ttl(),
                            faults.stream().map(Fault::label).toList(),
                            skipped,
                            residue,
                            options.command(),
                            started);
            String summary =
                    bufferLine
                            + SummaryTable.render(info, history, result, verdict)
                            + "\nviolations by the fault whose window they fell in:\n"
                            + FaultMatrix.of(history, result, verdict, options.ttl()).render();
            write(dir.resolve("summary.txt"), summary);
            HtmlReport.write(dir.resolve("report.html"), info, history, result, verdict);
            return new Outcome(info, history, result, verdict, summary);
        } finally {
            cleanup();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs cleanup (again, a no-op)
            }
        }
    }

    /**
     * Stops everything this run started, whatever state it is in; idempotent. Runs at the end of
     * {@link #execute} and from the shutdown hook (Ctrl-C, SIGTERM), so that no client stays
     * SIGSTOPped, no redis-server or ensemble member outlives the run, and the history is flushed.
     * Each step is guarded, so one failure does not skip the others. The nemesis goes first, so it
     * cannot pause or respawn a client that is being stopped.
     */
    private void cleanup() {
        if (!cleaned.compareAndSet(false, true)) {
            return;
        }
        quietly(
                () -> {
                    if (nemesis != null) {
                        nemesis.stop();
                    }
                    if (nemesisThread != null) {
                        nemesisThread.join(TimeUnit.SECONDS.toMillis(30));
                    }
                });
        List<ClientProcess> all;
        synchronized (this) {
            all = new ArrayList<>(clients.values());
        }
        for (ClientProcess c : all) {
            quietly(() -> c.stop(0));
        }
        quietly(
                () -> {
                    if (store != null) {
                        store.close();
                    }
                    if (buffer != null) {
                        buffer.close();
                    }
                });
        quietly(
                () -> {
                    if (engine != null) {
                        engine.close();
                    }
                });
        quietly(log::close);
    }

    private interface Step {
        void run() throws Exception;
    }

    private void quietly(Step step) {
        try {
            step.run();
        } catch (Exception e) {
            progress.println("cleanup: " + e);
        }
    }

    private EngineUnderTest startEngine(List<String> skipped) {
        String backend = options.backend();
        if (options.connect().isPresent()) {
            ConnectionUri uri = ConnectionUri.parse(options.connect().get()); // scheme checked
            int defaultPort = backend.equals("zookeeper") ? 2181 : 6379;
            List<String> hosts =
                    uri.hosts().stream().map(h -> uri.hostPort(h, defaultPort).toString()).toList();
            String path =
                    uri.path() == null || uri.path().isEmpty()
                            ? ""
                            : "/" + uri.path().replaceFirst("^/", "");
            return backend.equals("zookeeper")
                    ? new ZooKeeperEngine(ZooKeeperEngine.external(hosts), path)
                    : RedisEngine.external(backend, hosts, path);
        }
        if (backend.equals("zookeeper")) {
            return new ZooKeeperEngine(Ensembles.start(options.reportDir(), skipped, progress), "");
        }
        return RedisEngine.start(backend);
    }

    private boolean buffered() {
        return options.workload() == VerifyOptions.Workload.BUFFER;
    }

    /**
     * The buffer rules' bounds: a woken waiter re-enters within 2 × TTL + 5 s (see {@link
     * BufferRules}); a fault disqualifies waits that begin up to TTL + 2 s after it.
     */
    private BufferRules.Bounds bufferBounds() {
        return new BufferRules.Bounds(
                options.capacity(),
                options.ttl().multipliedBy(2).plusSeconds(5),
                options.ttl().plusSeconds(2));
    }

    private synchronized String spawn(String key) {
        int n = incarnations.merge(key, 1, Integer::sum);
        String id = n == 1 ? key : key + "#" + n;
        List<String> args = new ArrayList<>();
        if (buffered()) {
            // Odd clients produce, even ones consume. Awaits time out 5 s after the wake bound,
            // so a wake-up that only the timeout ends breaks the bound.
            int index = Integer.parseInt(key.substring(1));
            args.addAll(
                    List.of(
                            "--role",
                            index % 2 == 1 ? "producer" : "consumer",
                            "--capacity",
                            Integer.toString(options.capacity()),
                            "--await-ms",
                            Long.toString(bufferBounds().wakeBound().plusSeconds(5).toMillis()),
                            "--two-step",
                            Boolean.toString(options.twoStep())));
        }
        args.addAll(
                List.of(
                        "--uri",
                        engine.clientUri(key),
                        "--id",
                        id,
                        "--lock",
                        lockName,
                        "--store",
                        buffered() ? buffer.address() : store.address(),
                        "--ttl-ms",
                        Long.toString(options.ttl().toMillis()),
                        "--seed",
                        Long.toString(options.seed() * 31 + key.hashCode() * 17L + n),
                        "--hold-ms",
                        "200"));
        ClientProcess p =
                ClientProcess.start(
                        buffered() ? BufferClient.class : VerifyClient.class,
                        id,
                        args,
                        options.reportDir().resolve("client-" + key + ".log"),
                        log);
        clients.put(key, p);
        return id;
    }

    /**
     * Waits until every client has connected and sent its first request (JVM start and connect take
     * seconds on a small machine), so that the nemesis' first fault does not land on a run with no
     * clients yet.
     */
    private void awaitClientsStarted() {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() - until < 0) {
            List<String> started = log.processesSeen();
            boolean all;
            synchronized (this) {
                all = clients.values().stream().allMatch(c -> started.contains(c.id()));
            }
            if (all) {
                return;
            }
            sleep(Duration.ofMillis(100));
        }
        progress.println("not every client started within 60 s; going on");
    }

    /**
     * A client that died on its own (not by the nemesis) is reported and replaced: the run goes on
     * with its full set of clients, and the note sends the reader to its log.
     */
    private synchronized void respawnCrashed(List<String> notes) {
        for (ClientProcess c : new ArrayList<>(clients.values())) {
            if (!c.isAlive()) {
                String key = c.id().replaceFirst("#.*", "");
                String note =
                        "client "
                                + c.id()
                                + " exited on its own (status "
                                + c.exitValue()
                                + "); see client-"
                                + key
                                + ".log";
                notes.add(note);
                progress.println(note);
                log.nemesis(c.id(), Type.INFO, Op.KILL, "exited on its own");
                spawn(key);
            }
        }
    }

    private synchronized List<ClientProcess> aliveClients() {
        return clients.values().stream().filter(c -> c.isAlive() && !c.isPaused()).toList();
    }

    private void stopClients() {
        List<ClientProcess> all;
        synchronized (this) {
            all = new ArrayList<>(clients.values());
        }
        // Tell every client first, so they all finish their cycles at once, then wait for each
        // against one shared deadline.
        all.forEach(ClientProcess::requestStop);
        long bound = Math.max(30, options.ttl().multipliedBy(4).toSeconds() + 10);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(bound);
        for (ClientProcess c : all) {
            c.awaitStop(Math.max(0, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime())));
        }
    }

    /**
     * Waits for the engine to drop what killed clients left (sessions and leases expire after a
     * TTL; ZooKeeper removes empty directories every second); what is still there after the bound
     * is residue.
     */
    private List<String> awaitResidue() {
        long deadline = System.nanoTime() + options.ttl().multipliedBy(3).plusSeconds(20).toNanos();
        List<String> residue = engine.residue(lockName);
        while (!residue.isEmpty() && System.nanoTime() - deadline < 0) {
            sleep(Duration.ofMillis(500));
            residue = engine.residue(lockName);
        }
        return residue;
    }

    /**
     * Every violation counts, except what the README says a mode cannot promise: on a single Redis
     * without persistence, a restart forgets the grant, so a new holder may be granted while the
     * old one is still inside its deadline (its next renewal then fails and it learns the loss). A
     * loss-signal-first violation is excused for that reason only when the old grant came before a
     * kill of the server and the new one within one TTL after it.
     */
    private Verdict verdict(History history, CheckResult result) {
        if (!options.backend().equals("redis")) {
            return Verdict.strict(result);
        }
        List<Long> restarts = new ArrayList<>(); // when each kill of redis-server was logged
        for (HistoryEvent e : history.events()) {
            if (e.op() == Op.NEMESIS
                    && e.type() == Type.INVOKE
                    && "nemesis".equals(e.process())
                    && e.detail() != null
                    && e.detail().startsWith(Fault.RESTART.label() + " ")) {
                restarts.add(e.nanos());
            }
        }
        long ttl = options.ttl().toNanos();
        List<Violation> counted = new ArrayList<>();
        List<Verdict.Excused> excused = new ArrayList<>();
        for (Violation v : result.violations()) {
            boolean forgotten = false;
            if (v.kind() == Violation.Kind.LOSS_SIGNAL_FIRST) {
                long oldGrant = v.events().get(0).nanos();
                long newGrant = v.events().get(1).nanos();
                // Only a grant made before the kill can have been forgotten, and its holder's
                // deadline ends at most one TTL after its last renewal, itself before the kill.
                forgotten =
                        restarts.stream()
                                .anyMatch(
                                        k -> oldGrant < k && newGrant >= k && newGrant <= k + ttl);
            }
            if (forgotten) {
                excused.add(
                        new Verdict.Excused(
                                v,
                                "redis-server restarted without persistence and forgot this"
                                        + " grant; not promised (README, guarantees)"));
            } else {
                counted.add(v);
            }
        }
        return new Verdict(counted, excused);
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
