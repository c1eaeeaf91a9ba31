package dev.baton.verify.run;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared resource of a {@code baton verify --workload buffer} run: named FIFO buffers of items
 * behind a loopback TCP port, which producer and consumer processes use while they hold the
 * monitor. Fenced as {@link FencedStore} is (a {@link Fence} per buffer; reads take part, so a
 * holder that read with token 7 stops every later write with a lower token).
 *
 * <p>The store keeps no capacity itself: it holds whatever it is told to, so a monitor that fails
 * to exclude shows up in the history as a size above the capacity (and a take from an empty buffer
 * as {@code EMPTY}) for the checker to find, instead of being hidden by the resource.
 *
 * <p>Protocol, one request per line, one reply line each; items are {@code [A-Za-z0-9#-]+}:
 *
 * <pre>
 * READ name token holder       -> OK items               | REJECT highestToken highestHolder
 * PUT  name token holder item  -> OK size                | REJECT highestToken highestHolder
 * TAKE name token holder       -> OK item size | EMPTY   | REJECT highestToken highestHolder
 * </pre>
 *
 * where {@code items} is the buffer's items, oldest first, joined by commas, or {@code -} when it
 * is empty, and {@code size} the size after the request. {@code TAKE} removes the oldest item.
 *
 * <p>Threads: those of its {@link LineServer}. All buffer state is guarded by {@code this}, so each
 * request is atomic and the store is linearizable.
 */
public final class FencedBuffer implements AutoCloseable {
    private static final String ITEM = "[A-Za-z0-9#-]+";

    private final boolean fencing;
    private final Map<String, Buffer> buffers = new HashMap<>(); // guarded by this
    private LineServer server; // set once, right after construction

    private static final class Buffer {
        final Deque<String> items = new ArrayDeque<>();
        final Fence fence = new Fence();
    }

    private FencedBuffer(boolean fencing) {
        this.fencing = fencing;
    }

    /** Starts a buffer store on a free loopback port. */
    public static FencedBuffer start(boolean fencing) {
        FencedBuffer store = new FencedBuffer(fencing);
        store.server = LineServer.start("fenced-buffer", store::apply);
        return store;
    }

    /** {@code host:port} for clients. */
    public String address() {
        return server.address();
    }

    /** The buffer's items now, oldest first (empty if never written). */
    public synchronized List<String> items(String name) {
        Buffer b = buffers.get(name);
        return b == null ? List.of() : List.copyOf(b.items);
    }

    /** Applies one request line; returns the reply line. Package-private for tests. */
    synchronized String apply(String line) {
        String[] f = line.trim().split(" ");
        boolean read = f.length == 4 && f[0].equals("READ");
        boolean take = f.length == 4 && f[0].equals("TAKE");
        boolean put = f.length == 5 && f[0].equals("PUT") && f[4].matches(ITEM);
        if (!read && !take && !put) {
            return "ERROR expected 'READ name token holder', 'PUT name token holder item' or"
                    + " 'TAKE name token holder'";
        }
        long token;
        try {
            token = Long.parseLong(f[2]);
        } catch (NumberFormatException e) {
            return "ERROR the token must be an integer";
        }
        Buffer b = buffers.computeIfAbsent(f[1], k -> new Buffer());
        if (fencing) {
            String refusal = b.fence.admit(token, f[3]);
            if (refusal != null) {
                return refusal;
            }
        }
        if (read) {
            return "OK " + (b.items.isEmpty() ? "-" : String.join(",", new ArrayList<>(b.items)));
        }
        if (put) {
            b.items.addLast(f[4]);
            return "OK " + b.items.size();
        }
        if (b.items.isEmpty()) {
            return "EMPTY";
        }
        String item = b.items.removeFirst();
        return "OK " + item + " " + b.items.size();
    }

    @Override
    public void close() {
        server.close();
    }
}
