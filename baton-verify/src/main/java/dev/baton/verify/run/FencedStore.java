package dev.baton.verify.run;

import java.util.HashMap;
import java.util.Map;

/**
 * The shared resource of a {@code baton verify} run: named integer registers behind a loopback TCP
 * port, which the client processes read and write while they believe they hold the lock.
 *
 * <p><b>Fencing</b> (Kleppmann's storage-side check): every read and write carries the caller's
 * fencing token and identity. With fencing on, the store rejects a token lower than the highest it
 * has accepted for that register, and an equal token from a different holder; an accepted operation
 * raises the highest token. Reads take part on purpose: a holder that read with token 7 stops any
 * write with a token below 7, so a paused holder's read-modify-write cannot overwrite an increment
 * made after it read (a write-only check would still lose that update). With fencing off (the
 * {@code --no-fencing} control) every operation is accepted and tokens are ignored.
 *
 * <p>Protocol, one request per line, one reply line each:
 *
 * <pre>
 * READ  name token holder        -> OK value          | REJECT highestToken highestHolder
 * WRITE name token holder value  -> OK                | REJECT highestToken highestHolder
 * </pre>
 *
 * A token of {@code -1} means the grant had none (Redlock): with fencing on, such a request is
 * rejected, since nothing can be checked.
 *
 * <p>Threads: those of its {@link LineServer}. All register state is guarded by {@code this}, so
 * each request is atomic and the store is linearizable.
 */
public final class FencedStore implements AutoCloseable {

    private final boolean fencing;
    private final Map<String, Register> registers = new HashMap<>(); // guarded by this
    private LineServer server; // set once, right after construction

    private static final class Register {
        long value;
        final Fence fence = new Fence();
    }

    private FencedStore(boolean fencing) {
        this.fencing = fencing;
    }

    /** Starts a store on a free loopback port. */
    public static FencedStore start(boolean fencing) {
        FencedStore store = new FencedStore(fencing);
        store.server = LineServer.start("fenced-store", store::apply);
        return store;
    }

    /** {@code host:port} for clients. */
    public String address() {
        return server.address();
    }

    public boolean fencing() {
        return fencing;
    }

    /** The register's current value (0 if never written). */
    public synchronized long value(String name) {
        Register r = registers.get(name);
        return r == null ? 0 : r.value;
    }

    /** Applies one request line; returns the reply line. Package-private for tests. */
    synchronized String apply(String line) {
        String[] f = line.trim().split(" ");
        boolean read = f.length == 4 && f[0].equals("READ");
        boolean write = f.length == 5 && f[0].equals("WRITE");
        if (!read && !write) {
            return "ERROR expected 'READ name token holder' or 'WRITE name token holder value'";
        }
        long token;
        long value = 0;
        try {
            token = Long.parseLong(f[2]);
            if (write) {
                value = Long.parseLong(f[4]);
            }
        } catch (NumberFormatException e) {
            return "ERROR token and value must be integers";
        }
        Register r = registers.computeIfAbsent(f[1], k -> new Register());
        if (fencing) {
            String refusal = r.fence.admit(token, f[3]);
            if (refusal != null) {
                return refusal;
            }
        }
        if (read) {
            return "OK " + r.value;
        }
        r.value = value;
        return "OK";
    }

    @Override
    public void close() {
        server.close();
    }
}
