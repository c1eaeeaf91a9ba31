package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The wire protocol between {@code baton demo} ({@link DemoCommand}) and its server processes
 * ({@link DemoNodeCommand}), and between {@code baton demo buffer} ({@link DemoBufferCommand}) and
 * its producers and consumers ({@link DemoBufferNodeCommand}), declared once for both sides.
 *
 * <ul>
 *   <li>Node to parent, one JSON object per line on the node's stdout: an {@link Event} with its
 *       declared {@link Field}s, plus {@code "at"}, the epoch microseconds when it happened ({@link
 *       #nowMicros()}: every process of the demo shares the one machine's clock). The node writes
 *       it with the typed functions below ({@link #settle} and co.), which take their field names
 *       from the declaration; the parent reads it with {@link #parse(String)}, which checks the
 *       event's name and every declared field, so a line that does not fit is reported as {@link
 *       Malformed} instead of being read as 0 or ignored.
 *   <li>Parent to node, one {@link Order} (a {@link BufferOrder} in the buffer demo) per line on
 *       the node's stdin; a line that is not an order is rejected by {@link Order#parse(String)}.
 * </ul>
 *
 * <p>A node writes with {@link JsonLine} and never parses, so it never starts Jackson's {@code
 * ObjectMapper} (see {@link JsonLine} for why that matters); only the parent uses {@link #parse}
 * and {@link Message}. Everything here is immutable, so any thread may use it.
 */
final class DemoProtocol {
    private DemoProtocol() {}

    /** Epoch microseconds: the time base of every {@code "at"} and of the settlement intervals. */
    static long nowMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    /** The type of a field's value. */
    enum Kind {
        /** A {@code long} (an {@code int} is accepted when writing). */
        NUMBER,
        TEXT,
        /** The wire name of a {@link Round}. */
        ROUND,
        /** An array of arrays of numbers, e.g. {@code [[1,2,3],[4,5,6]]}; a List of long[]. */
        ROWS;

        boolean accepts(Object value) {
            return switch (this) {
                case NUMBER -> value instanceof Long || value instanceof Integer;
                case TEXT -> value instanceof String;
                case ROUND -> value instanceof Round;
                case ROWS -> value instanceof List<?>;
            };
        }
    }

    /** A field that an event must carry. */
    record Field(String name, Kind kind) {}

    /** What a node reports, in the order a node's life usually produces them. */
    enum Event {
        /** Connected; about to join the election. */
        READY("ready", text("client"), number("pid")),
        /** Elected: its term starts under this fencing token. */
        LEADER("leader", number("token"), number("term")),
        /** One settlement ran from {@code t0} to {@code t1} (epoch µs) and wrote ledger entry n. */
        SETTLE("settle", number("n"), number("token"), number("t0"), number("t1")),
        /** Refused to settle: the ledger was written under a newer token. */
        FENCED("fenced", number("token"), number("ledgerToken")),
        /** The ledger changed between the leader's read and its compare-and-set. */
        CONFLICT("conflict", number("token")),
        /** The term ended; {@code state} is the lease's state at that moment. */
        LEADER_END("leader-end", number("token"), text("state")),
        /** The settlement job failed with this one-line message. */
        ERROR("error", text("message")),
        /** An auction round began (at the agreed start time). */
        ROUND_START("round-start", round()),
        /**
         * An auction round ended: bids placed, bids that became the price, conflicts retried, time
         * spent waiting for the mutex, the highest bid, the duration, and for rounds (a) and (c)
         * every write as {@code [readVersion, writtenVersion, bid]}.
         */
        ROUND_DONE(
                "round-done",
                round(),
                number("bids"),
                rows("writes"),
                number("maxBid"),
                number("accepted"),
                number("retries"),
                number("waitMs"),
                number("maxWaitMs"),
                number("ms")),
        /** Told to quit, it left the election and disconnected; it exits next. */
        BYE("bye"),

        // ---- the buffer demo: one producer or consumer of the shared bounded buffer ----

        /**
         * A producer appended {@code item} under the monitor: the buffer now holds {@code buffer}
         * (item names, oldest first, space-separated), {@code size} of them, written as key/value
         * version {@code version} under fencing token {@code token}. {@code requests}: the node's
         * engine requests so far (every buffer event carries it).
         */
        PUT(
                "put",
                text("item"),
                text("buffer"),
                number("size"),
                number("version"),
                number("token"),
                number("requests")),
        /** A consumer removed {@code item}, the oldest; fields as for {@link #PUT}. */
        TOOK(
                "took",
                text("item"),
                text("buffer"),
                number("size"),
                number("version"),
                number("token"),
                number("requests")),
        /**
         * About to await {@code condition} (not-full or not-empty): it saw {@code size} items while
         * holding the monitor under {@code token}, which the await gives up.
         */
        WAIT("wait", text("condition"), number("size"), number("token"), number("requests")),
        /**
         * The await returned: woken {@code by} a "signal" or its "timeout", back in the monitor
         * under the new {@code token}.
         */
        WOKEN("woken", text("condition"), text("by"), number("token"), number("requests")),
        /** As ordered ({@link BufferOrder#LINGER}), it keeps the monitor after its take. */
        HOLDING("holding", text("item"), number("token")),
        /** Refused to write the buffer: it was written under {@code bufferToken} > own token. */
        STALE("stale", number("token"), number("bufferToken")),
        /** A producer made the {@code items} items of its batch ({@link BufferOrder#produce}). */
        BATCH_DONE("batch-done", number("items"), number("requests")),
        /** Told to quit, it stopped working; its engine requests in all. It disconnects next. */
        STOPPED("stopped", number("requests"));

        private final String wire;
        private final List<Field> fields;

        Event(String wire, Field... fields) {
            this.wire = wire;
            this.fields = List.of(fields);
        }

        /** The name on the wire, the value of {@code "ev"}. */
        String wire() {
            return wire;
        }

        /** The fields this event must carry, besides {@code "ev"} and {@code "at"}. */
        List<Field> fields() {
            return fields;
        }

        /** The event named {@code wire}, if any. */
        static Optional<Event> ofWire(String wire) {
            return Arrays.stream(values()).filter(e -> e.wire.equals(wire)).findFirst();
        }

        /**
         * This event as one line, stamped now: {@code values} in the order of {@link #fields}. The
         * node calls the typed functions below instead, which the compiler checks.
         */
        @SuppressWarnings("unchecked") // ROWS: Kind.accepts checked the List; its rows are long[]
        String write(Object... values) {
            if (values.length != fields.size()) {
                throw new IllegalArgumentException(
                        wire + " takes " + fields + ", but was given " + values.length + " values");
            }
            JsonLine line = new JsonLine().put("ev", wire).put("at", nowMicros());
            for (int i = 0; i < values.length; i++) {
                Field f = fields.get(i);
                Object v = values[i];
                if (!f.kind().accepts(v)) {
                    throw new IllegalArgumentException(wire + "'s " + f + " must not be " + v);
                }
                switch (f.kind()) {
                    case NUMBER -> line.put(f.name(), ((Number) v).longValue());
                    case TEXT -> line.put(f.name(), (String) v);
                    case ROUND -> line.put(f.name(), ((Round) v).wire());
                    case ROWS -> line.put(f.name(), (List<long[]>) v);
                }
            }
            return line.toString();
        }

        private static Field number(String name) {
            return new Field(name, Kind.NUMBER);
        }

        private static Field text(String name) {
            return new Field(name, Kind.TEXT);
        }

        private static Field round() {
            return new Field("round", Kind.ROUND);
        }

        private static Field rows(String name) {
            return new Field(name, Kind.ROWS);
        }
    }

    /** The three auction rounds: the same bidding work under three disciplines. */
    enum Round {
        /** No coordination: get, think, put. */
        A("none"),
        /** Optimistic: an update that keeps the maximum, retried on conflict. */
        B("optimistic"),
        /** Under the mutex: lock, get, think, put, unlock. */
        C("mutex");

        private final String discipline;

        Round(String discipline) {
            this.discipline = discipline;
        }

        /** The name on the wire and in the output: "a", "b" or "c". */
        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        String discipline() {
            return discipline;
        }

        static Optional<Round> ofWire(String wire) {
            return Arrays.stream(values()).filter(r -> r.wire().equals(wire)).findFirst();
        }
    }

    /**
     * An order from the parent, one line on a node's stdin: {@code round a|b|c BIDS START_EPOCH_MS}
     * or {@code quit}. The end of stdin (the parent died) is not an order; the node halts.
     *
     * @param round the round to bid in, or {@code null} for quit
     */
    record Order(Round round, int bids, long startAtEpochMs) {
        static final Order QUIT = new Order(null, 0, 0);

        /** Bid {@code bids} times in {@code round}, starting at {@code startAtEpochMs}. */
        static Order round(Round round, int bids, long startAtEpochMs) {
            if (round == null || bids < 1) {
                throw new IllegalArgumentException(
                        "a round needs a round and at least one bid, but was "
                                + round
                                + " with "
                                + bids);
            }
            return new Order(round, bids, startAtEpochMs);
        }

        boolean isQuit() {
            return round == null;
        }

        /** The line on the wire. */
        String line() {
            return isQuit() ? "quit" : "round " + round.wire() + " " + bids + " " + startAtEpochMs;
        }

        /** Parses one line of stdin; rejects anything that {@link #line()} cannot produce. */
        static Order parse(String line) {
            String[] w = line.strip().split("\\s+");
            if (w.length == 1 && w[0].equals("quit")) {
                return QUIT;
            }
            if (w.length == 4 && w[0].equals("round")) {
                Optional<Round> round = Round.ofWire(w[1]);
                try {
                    if (round.isPresent()) {
                        return round(round.get(), Integer.parseInt(w[2]), Long.parseLong(w[3]));
                    }
                } catch (IllegalArgumentException e) { // NumberFormatException included
                    // Falls through to the rejection below.
                }
            }
            throw new IllegalArgumentException(
                    "not an order (expected \"round a|b|c BIDS START_EPOCH_MS\" or \"quit\"): "
                            + line);
        }
    }

    /**
     * An order to a node of the buffer demo, one line on its stdin: {@code produce N} (a producer
     * makes N more items), {@code linger} (a consumer keeps the monitor after its next take, until
     * it is killed) or {@code quit}.
     *
     * @param type what to do
     * @param items for {@link Type#PRODUCE}, how many items; 0 otherwise
     */
    record BufferOrder(Type type, int items) {
        /** The types of order, with their wire names. */
        enum Type {
            PRODUCE,
            LINGER,
            QUIT;

            String wire() {
                return name().toLowerCase(Locale.ROOT);
            }
        }

        static final BufferOrder LINGER = new BufferOrder(Type.LINGER, 0);
        static final BufferOrder QUIT = new BufferOrder(Type.QUIT, 0);

        /** Make {@code items} more items. */
        static BufferOrder produce(int items) {
            if (items < 1) {
                throw new IllegalArgumentException(
                        "produce needs at least one item, but was " + items);
            }
            return new BufferOrder(Type.PRODUCE, items);
        }

        /** The line on the wire. */
        String line() {
            return type == Type.PRODUCE ? "produce " + items : type.wire();
        }

        /** Parses one line of stdin; rejects anything that {@link #line()} cannot produce. */
        static BufferOrder parse(String line) {
            String[] w = line.strip().split("\\s+");
            if (w.length == 1 && w[0].equals("linger")) {
                return LINGER;
            }
            if (w.length == 1 && w[0].equals("quit")) {
                return QUIT;
            }
            if (w.length == 2 && w[0].equals("produce")) {
                try {
                    return produce(Integer.parseInt(w[1]));
                } catch (IllegalArgumentException e) { // NumberFormatException included
                    // Falls through to the rejection below.
                }
            }
            throw new IllegalArgumentException(
                    "not an order (expected \"produce N\", \"linger\" or \"quit\"): " + line);
        }
    }

    // ---- node side: one function per event, in the order of the event's fields ----

    static String ready(String client, long pid) {
        return Event.READY.write(client, pid);
    }

    static String leader(long token, int term) {
        return Event.LEADER.write(token, term);
    }

    static String settle(long n, long token, long t0Micros, long t1Micros) {
        return Event.SETTLE.write(n, token, t0Micros, t1Micros);
    }

    static String fenced(long token, long ledgerToken) {
        return Event.FENCED.write(token, ledgerToken);
    }

    static String conflict(long token) {
        return Event.CONFLICT.write(token);
    }

    static String leaderEnd(long token, String leaseState) {
        return Event.LEADER_END.write(token, leaseState);
    }

    static String error(String message) {
        return Event.ERROR.write(message);
    }

    static String roundStart(Round round) {
        return Event.ROUND_START.write(round);
    }

    /** {@code writes}: {@code [readVersion, writtenVersion, bid]} per bid, rounds (a), (c) only. */
    static String roundDone(
            Round round,
            int bids,
            List<long[]> writes,
            long maxBid,
            int accepted,
            int retries,
            long waitMs,
            long maxWaitMs,
            long ms) {
        return Event.ROUND_DONE.write(
                round, bids, writes, maxBid, accepted, retries, waitMs, maxWaitMs, ms);
    }

    static String bye() {
        return Event.BYE.write();
    }

    // ---- node side of the buffer demo ----

    static String put(String item, String buffer, int size, long version, long token, long req) {
        return Event.PUT.write(item, buffer, size, version, token, req);
    }

    static String took(String item, String buffer, int size, long version, long token, long req) {
        return Event.TOOK.write(item, buffer, size, version, token, req);
    }

    static String bufferWait(String condition, int size, long token, long requests) {
        return Event.WAIT.write(condition, size, token, requests);
    }

    /** {@code signalled}: woken by a signal, else by the await's timeout. */
    static String woken(String condition, boolean signalled, long token, long requests) {
        return Event.WOKEN.write(condition, signalled ? "signal" : "timeout", token, requests);
    }

    static String holding(String item, long token) {
        return Event.HOLDING.write(item, token);
    }

    static String stale(long token, long bufferToken) {
        return Event.STALE.write(token, bufferToken);
    }

    static String batchDone(int items, long requests) {
        return Event.BATCH_DONE.write(items, requests);
    }

    static String stopped(long requests) {
        return Event.STOPPED.write(requests);
    }

    // ---- parent side ----

    /** One line of a node's output, as the parent reads it. */
    sealed interface Line permits Message, Log, Malformed {}

    /** A well-formed event: every declared field is present with the declared kind. */
    record Message(Event event, ObjectNode body) implements Line {
        /** When the node reported it, in epoch microseconds. */
        long at() {
            return body.get("at").asLong();
        }

        long number(String field) {
            return check(field, Kind.NUMBER).asLong();
        }

        String text(String field) {
            return check(field, Kind.TEXT).asText();
        }

        Round round() {
            return Round.ofWire(check("round", Kind.ROUND).asText()).orElseThrow();
        }

        List<long[]> rows(String field) {
            List<long[]> rows = new ArrayList<>();
            for (JsonNode row : check(field, Kind.ROWS)) {
                long[] r = new long[row.size()];
                for (int i = 0; i < r.length; i++) {
                    r[i] = row.get(i).asLong();
                }
                rows.add(r);
            }
            return rows;
        }

        /** The field's value; a field the event does not declare is a bug on the parent's side. */
        private JsonNode check(String field, Kind kind) {
            if (!event.fields().contains(new Field(field, kind))) {
                throw new IllegalArgumentException(
                        event.wire() + " has no " + kind + " field \"" + field + "\"");
            }
            return body.get(field);
        }
    }

    /** Not a JSON object: something else in the node printed it (the JVM, a library). */
    record Log(String text) implements Line {}

    /** A JSON object that breaks the protocol: a bug in one of the two sides. */
    record Malformed(String text, String reason) implements Line {}

    /** Reads one line of a node's stdout. */
    static Line parse(String text) {
        ObjectNode o = Json.parseObject(text);
        if (o == null) {
            return new Log(text);
        }
        if (!o.path("ev").isTextual()) {
            return new Malformed(text, "no \"ev\"");
        }
        Optional<Event> event = Event.ofWire(o.get("ev").asText());
        if (event.isEmpty()) {
            return new Malformed(text, "unknown event \"" + o.get("ev").asText() + "\"");
        }
        if (!o.path("at").isIntegralNumber()) {
            return new Malformed(text, event.get().wire() + " has no number \"at\"");
        }
        for (Field f : event.get().fields()) {
            if (!fits(o.get(f.name()), f.kind())) {
                return new Malformed(
                        text,
                        event.get().wire()
                                + " has no "
                                + f.kind().name().toLowerCase(Locale.ROOT)
                                + " \""
                                + f.name()
                                + "\"");
            }
        }
        return new Message(event.get(), o);
    }

    private static boolean fits(JsonNode v, Kind kind) {
        if (v == null) {
            return false;
        }
        return switch (kind) {
            case NUMBER -> v.isIntegralNumber();
            case TEXT -> v.isTextual();
            case ROUND -> v.isTextual() && Round.ofWire(v.asText()).isPresent();
            case ROWS -> {
                boolean ok = v.isArray();
                for (JsonNode row : v) {
                    ok &= row.isArray();
                    for (JsonNode n : row) {
                        ok &= n.isIntegralNumber();
                    }
                }
                yield ok;
            }
        };
    }
}
