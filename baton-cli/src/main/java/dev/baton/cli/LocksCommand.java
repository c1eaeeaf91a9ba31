package dev.baton.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.Baton;
import dev.baton.LockSnapshot;
import dev.baton.Names;
import dev.baton.gateway.LockJson;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Lists lock names with holders or waiters: one line per name. */
@Command(
        name = "locks",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "List held or awaited locks.",
            "",
            "One line per lock name under PREFIX (default: all): name, kind, holder, fencing"
                    + " token, held for, waiters.",
        })
final class LocksCommand implements Callable<Integer> {
    @ParentCommand private BatonCli root;

    @Mixin ConnectOptions engine;

    @Option(names = "--json", description = "One JSON object per line instead of a table.")
    boolean json;

    @Parameters(arity = "0..1", paramLabel = "PREFIX", description = "Name prefix (path).")
    String prefix = "";

    @Override
    public Integer call() {
        String uri = root.resolveConnect(engine.connect, null);
        Names.validatePrefix(prefix);
        BatonCli.rejectInProcessEngine(uri, "locks");
        try (Baton baton = root.connect(uri, engine.connectTimeout, null, null)) {
            List<LockSnapshot> locks = baton.locks(prefix);
            Instant now = Instant.now();
            PrintWriter out = root.out();
            if (json) {
                locks.forEach(s -> out.println(Json.line(toJson(s, now))));
            } else {
                printTable(out, locks, now);
            }
            out.flush();
        }
        return ExitCodes.OK;
    }

    /** The gateway's form ({@code GET /v1/locks} answers the same objects). */
    static ObjectNode toJson(LockSnapshot s, Instant now) {
        return LockJson.of(s, now);
    }

    private static void printTable(PrintWriter out, List<LockSnapshot> locks, Instant now) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "KIND", "HOLDER", "TOKEN", "HELD FOR", "WAITERS"});
        for (LockSnapshot s : locks) {
            List<LockSnapshot.Holder> hs = s.holders();
            String kind =
                    hs.isEmpty()
                            ? "-"
                            : hs.stream()
                                    .map(h -> h.kind().name().toLowerCase(java.util.Locale.ROOT))
                                    .distinct()
                                    .collect(Collectors.joining("+"));
            String holder =
                    hs.isEmpty()
                            ? "-"
                            : hs.stream()
                                    .map(
                                            h ->
                                                    h.permits() > 1
                                                            ? h.clientId() + "×" + h.permits()
                                                            : h.clientId())
                                    .collect(Collectors.joining(","));
            String token =
                    hs.isEmpty()
                            ? "-"
                            : hs.stream()
                                    .map(
                                            h ->
                                                    h.fencingToken() < 0
                                                            ? "-"
                                                            : Long.toString(h.fencingToken()))
                                    .collect(Collectors.joining(","));
            String heldFor = hs.isEmpty() ? "-" : Durations.format(hs.get(0).heldFor(now));
            rows.add(
                    new String[] {
                        s.name(), kind, holder, token, heldFor, Integer.toString(s.waiters())
                    });
        }
        Table.print(out, rows, 3, 5);
    }
}
