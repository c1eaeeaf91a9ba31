package dev.baton.verify.run;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
 * <p>Threads: one acceptor thread, one thread per connection (a handful of clients). All register
 * state is guarded by {@code this}, so each request is atomic and the store is linearizable.
 */
public final class FencedStore implements AutoCloseable {

    private final boolean fencing;
    private final ServerSocket server;
    private final Map<String, Register> registers = new HashMap<>(); // guarded by this
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private static final class Register {
        long value;
        long highestToken = -1;
        String highestHolder;
    }

    private FencedStore(boolean fencing, ServerSocket server) {
        this.fencing = fencing;
        this.server = server;
    }

    /** Starts a store on a free loopback port. */
    public static FencedStore start(boolean fencing) {
        try {
            ServerSocket server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            FencedStore store = new FencedStore(fencing, server);
            Thread acceptor = new Thread(store::acceptLoop, "fenced-store-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the fenced store's port", e);
        }
    }

    /** {@code host:port} for clients. */
    public String address() {
        return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
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
        String holder = f[3];
        Register r = registers.computeIfAbsent(f[1], k -> new Register());
        if (fencing) {
            boolean stale =
                    token < 0
                            || token < r.highestToken
                            || (token == r.highestToken && !holder.equals(r.highestHolder));
            if (stale) {
                return "REJECT " + r.highestToken + " " + r.highestHolder;
            }
            r.highestToken = token;
            r.highestHolder = holder;
        }
        if (read) {
            return "OK " + r.value;
        }
        r.value = value;
        return "OK";
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                connections.add(s);
                Thread t = new Thread(() -> serve(s), "fenced-store-" + s.getPort());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("fenced store: accept failed: " + e.getMessage());
                }
            }
        }
    }

    private void serve(Socket s) {
        try (s;
                BufferedReader in =
                        new BufferedReader(
                                new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter out =
                        new PrintWriter(
                                new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8),
                                true)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.println(apply(line));
            }
        } catch (IOException e) {
            // The client died (kill -9) or closed: its connection simply ends.
        } finally {
            connections.remove(s);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : connections) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
