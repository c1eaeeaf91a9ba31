package dev.baton.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.Baton;
import dev.baton.LockSnapshot;
import dev.baton.Names;
import dev.baton.Subscription;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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

    @Parameters(index = "0", paramLabel = "PREFIX", description = "Name prefix (path).")
    String prefix;

    @Override
    public Integer call() throws InterruptedException {
        String uri = root.resolveConnect(engine.connect, null);
        Names.validatePrefix(prefix);
        BatonCli.rejectInProcessEngine(uri, "watch");
        Baton baton = root.connect(uri, engine.connectTimeout, null, null);
        PrintWriter out = root.out();
        CountDownLatch stopped = new CountDownLatch(1);
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
        return ExitCodes.INTERRUPTED;
    }

    static String format(WatchEvent e) {
        String time = LocalTime.now(ZoneId.systemDefault()).format(TIME);
        String what =
                switch (e.type()) {
                    case PUT -> e.value().map(WatchCommand::describe).orElse("");
                    case DELETE -> "";
                    case LOCK ->
                            e.lock().map(LockSnapshot::describeHolders).orElse("(state unknown)");
                    case RESYNC -> "events were dropped: re-read the state";
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
