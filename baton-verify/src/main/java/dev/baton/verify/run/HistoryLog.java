package dev.baton.verify.run;

import dev.baton.verify.History;
import dev.baton.verify.HistoryEvent;
import dev.baton.verify.HistoryEvent.Op;
import dev.baton.verify.HistoryEvent.Type;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The run's history as it happens: events from every client's stdout pump and from the nemesis,
 * appended to memory and to {@code history.jsonl} at once (so a crashed run still leaves its raw
 * history), plus who holds the lock right now, for the nemesis to pick its victims.
 *
 * <p>Threads: any thread may append; every method is synchronized. The file is in arrival order;
 * {@link #history()} orders by time.
 */
final class HistoryLog implements AutoCloseable {
    private final List<HistoryEvent> events = new ArrayList<>();
    private final BufferedWriter file;
    private final Set<String> holders = new HashSet<>();
    private final Map<String, HistoryEvent> last = new HashMap<>();

    HistoryLog(Path path) {
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            this.file = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the history to " + path, e);
        }
    }

    synchronized void append(HistoryEvent e) {
        events.add(e);
        try {
            file.write(History.toJsonLine(e));
            file.newLine();
            file.flush(); // a run killed half-way still leaves every event it saw
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write the history", ex);
        }
        track(e);
    }

    /** A nemesis or runner event, stamped now. */
    void nemesis(String process, Type type, Op op, String detail) {
        append(HistoryEvent.of(System.nanoTime(), process, type, op, null).withDetail(detail));
    }

    private void track(HistoryEvent e) {
        last.put(e.process(), e);
        switch (e.op()) {
            case ACQUIRE -> {
                if (e.type() == Type.OK) {
                    holders.add(e.process());
                }
            }
            case AWAIT -> {
                if (e.type() == Type.INVOKE) {
                    holders.remove(e.process()); // the wait gave the monitor up
                } else if (e.type() == Type.OK) {
                    holders.add(e.process());
                }
            }
            case RELEASE, LEASE_LOST -> holders.remove(e.process());
            case KILL -> holders.remove(e.process());
            default -> {}
        }
    }

    /** Processes that hold (or believe they hold) the lock now, in name order. */
    synchronized List<String> holders() {
        return new ArrayList<>(new TreeSet<>(holders));
    }

    /** Every process that has logged an event. */
    synchronized List<String> processesSeen() {
        return new ArrayList<>(last.keySet());
    }

    /** Holders whose latest event is their check before writing: inside the gap before it. */
    synchronized List<String> aboutToWrite() {
        List<String> out = new ArrayList<>();
        for (String p : new TreeSet<>(holders)) {
            HistoryEvent e = last.get(p);
            if (e != null && e.op() == Op.DEADLINE && VerifyClient.CHECKED.equals(e.detail())) {
                out.add(p);
            }
        }
        return out;
    }

    synchronized int size() {
        return events.size();
    }

    synchronized History history() {
        return History.of(events);
    }

    @Override
    public synchronized void close() {
        try {
            file.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the history file", e);
        }
    }
}
