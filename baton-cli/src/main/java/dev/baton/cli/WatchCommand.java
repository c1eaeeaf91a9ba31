package dev.baton.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.Baton;
import dev.baton.ConnectionState;
import dev.baton.LockSnapshot;
import dev.baton.Names;
import dev.baton.Subscription;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * Prints watch events until interrupted. The listener runs on Baton's dispatcher, one event at a
 * time for this subscription, so lines come out in the engine's order; the main thread only waits
 * for the shutdown hook.
 */
@Command(
        name = "watch",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Print changes of keys and locks until interrupted.",
            "",
            "One line per event under PREFIX: time, type (PUT, DELETE, LOCK, RESYNC), name, then version and value, or holders.",
            "PREFIX \"\" watches everything.",
        })
final class WatchCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    @ParentCommand private BatonCli root;

    @Mixin ConnectOptions engine;

    @Option(names = "--json", description = "One JSON object per line instead of text.")
    boolean json;

    @Option(
            names = "--give-up-after",
            paramLabel = "DURATION",
            converter = Durations.class,
            defaultValue = "30s",
            description =
                    "Exit 69 once the engine has been unreachable this long without a break"
                            + " (default: ${DEFAULT-VALUE}). The loss is printed as it is noticed"
                            + " (within the keep-alive interval, a third of the lease TTL), and so"
                            + " is the return.")
    Duration giveUpAfter;

    @Parameters(index = "0", paramLabel = "PREFIX", description = "Name prefix (path).")
    String prefix;

    @Override
    public Integer call() throws InterruptedException {
        String uri = root.resolveConnect(engine.connect, null);
        Names.validatePrefix(prefix);
        BatonCli.rejectInProcessEngine(uri, "watch");
        if (giveUpAfter.isZero()) {
            throw CliException.usage("--give-up-after must be positive, but was 0");
        }
        Baton baton = root.connect(uri, engine.connectTimeout, null, null);
        PrintWriter out = root.out();
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicInteger exit = new AtomicInteger(ExitCodes.INTERRUPTED);
        GiveUp giveUp = new GiveUp(baton, giveUpAfter, exit, stopped);
        Subscription sub;
        try {
            sub =
                    baton.watch(
                            prefix,
                            e -> {
                                String line = json ? Json.line(toJson(e)) : format(e);
                                synchronized (out) {
                                    out.println(line);
                                    out.flush();
                                }
                                giveUp.on(e.type());
                            });
        } catch (RuntimeException e) {
            baton.close();
            throw e;
        }
        BatonCli.onShutdown(
                "baton-watch-shutdown",
                () -> {
                    sub.close();
                    baton.close();
                    stopped.countDown();
                });
        root.err()
                .println("baton watch: watching \"" + prefix + "\" on " + uri + "; Ctrl-C to stop");
        root.err().flush();
        stopped.await();
        giveUp.cancel();
        if (exit.get() == ExitCodes.UNAVAILABLE) {
            sub.close();
            baton.close();
            throw new CliException(
                    ExitCodes.UNAVAILABLE,
                    "the engine at "
                            + uri
                            + " has been unreachable for "
                            + Durations.format(giveUpAfter)
                            + " (--give-up-after); giving up");
        }
        return exit.get();
    }

    /**
     * Ends the watch once the engine has been unreachable for the bound without a break. Runs on
     * the subscription's delivery thread (one event at a time) and on its own timer thread; the
     * generation, bumped on every change of state, tells a timer whether the outage it was started
     * for is still the current one.
     */
    private static final class GiveUp {
        private final Baton baton;
        private final Duration bound;
        private final AtomicInteger exit;
        private final CountDownLatch stopped;
        private final AtomicInteger generation = new AtomicInteger();
        private final ScheduledExecutorService timer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "baton-watch-give-up");
                            t.setDaemon(true);
                            return t;
                        });

        GiveUp(Baton baton, Duration bound, AtomicInteger exit, CountDownLatch stopped) {
            this.baton = baton;
            this.bound = bound;
            this.exit = exit;
            this.stopped = stopped;
        }

        void on(WatchEvent.Type type) {
            if (type == WatchEvent.Type.DISCONNECTED) {
                int outage = generation.incrementAndGet();
                timer.schedule(() -> expire(outage), bound.toNanos(), TimeUnit.NANOSECONDS);
            } else if (type == WatchEvent.Type.RECONNECTED) {
                generation.incrementAndGet();
            }
        }

        private void expire(int outage) {
            if (generation.get() == outage
                    && baton.connectionState() == ConnectionState.DISCONNECTED) {
                exit.set(ExitCodes.UNAVAILABLE);
                stopped.countDown();
            }
        }

        void cancel() {
            timer.shutdownNow();
        }
    }

    static String format(WatchEvent e) {
        String time = LocalTime.now(ZoneId.systemDefault()).format(TIME);
        String what =
                switch (e.type()) {
                    case PUT -> e.value().map(WatchCommand::describe).orElse("");
                    case DELETE -> "";
                    case LOCK ->
                            e.lock().map(LockSnapshot::describeHolders).orElse("(state unknown)");
                    case RESYNC -> "events may have been missed: re-read the state";
                    case DISCONNECTED -> "the engine is unreachable: events may be missed";
                    case RECONNECTED -> "the engine answers again";
                };
        return String.format(Locale.ROOT, "%s  %-6s  %s  %s", time, e.type(), e.name(), what)
                .strip();
    }

    private static String describe(Versioned v) {
        return "v" + v.version() + " " + Json.MAPPER.getNodeFactory().textNode(v.asString());
    }

    static ObjectNode toJson(WatchEvent e) {
        ObjectNode o =
                Json.object()
                        .put("time", Instant.now().toString())
                        .put("type", e.type().name())
                        .put("name", e.name());
        e.value().ifPresent(v -> o.put("version", v.version()).put("value", v.asString()));
        e.lock().ifPresent(s -> o.set("lock", LocksCommand.toJson(s, Instant.now())));
        return o;
    }
}
