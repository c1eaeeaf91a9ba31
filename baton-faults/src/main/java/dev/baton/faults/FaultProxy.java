package dev.baton.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-JVM TCP proxy on 127.0.0.1 in front of one upstream {@code host:port}, for network faults
 * without kernel support (this machine has no netem). Point a client at {@link #port()} and switch
 * modes while it runs:
 *
 * <ul>
 *   <li>{@link #pass()} — forward both directions (the default);
 *   <li>{@link #blackhole()} — accept connections and keep every socket open, but forward nothing
 *       in either direction: bytes already read are held, and the proxy stops reading, so the peers
 *       simply stop hearing each other (a ZooKeeper session expires naturally). On {@link #pass()}
 *       held bytes are delivered in order, so a connection that both ends kept is intact;
 *   <li>{@link #delay(Duration)} — forward each chunk the given delay after it was read: a latency
 *       per direction, as on a long link; chunks in flight are not serialised, so requests a client
 *       pipelines stay pipelined (a round trip costs twice the delay, however many requests it
 *       carries);
 *   <li>{@link #reset()} — close every current connection (the mode is kept).
 * </ul>
 *
 * <p>Threads: one acceptor plus two pumps per connection, each a reader and a writer with the
 * chunks in flight between them (bounded), all daemon, at most {@value #MAX_CONNECTIONS}
 * connections at a time (more are closed at once). Invariants: {@code mode} and {@code delayNanos}
 * are guarded by {@code this} and waited on with it; a pump never holds the lock while doing I/O;
 * each direction forwards its chunks in the order they were read. Internal to Baton (the tests,
 * {@code baton verify}); not a user API.
 */
public final class FaultProxy implements AutoCloseable {
    /** Connections served at once; one more is accepted and closed immediately. */
    public static final int MAX_CONNECTIONS = 64;

    private static final int BUFFER = 16 * 1024;

    /** Chunks read but not yet forwarded, per direction; the reader waits when this many are. */
    private static final int IN_FLIGHT = 1024;

    private enum Mode {
        PASS,
        BLACKHOLE
    }

    private final String upstreamHost;
    private final int upstreamPort;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionCount = new AtomicInteger();
    private Mode mode = Mode.PASS;
    private long delayNanos;
    private volatile boolean closed;

    private FaultProxy(String upstreamHost, int upstreamPort, ServerSocket server) {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        this.server = server;
        this.acceptor =
                new Thread(this::acceptLoop, "fault-proxy-" + server.getLocalPort() + "-accept");
        this.acceptor.setDaemon(true);
    }

    /**
     * Starts a proxy on a free port of 127.0.0.1 forwarding to {@code upstreamHost:upstreamPort}.
     * The upstream is connected per accepted connection, so it need not be up yet.
     */
    public static FaultProxy start(String upstreamHost, int upstreamPort) {
        Objects.requireNonNull(upstreamHost, "upstreamHost");
        if (upstreamPort < 1 || upstreamPort > 65535) {
            throw new IllegalArgumentException(
                    "upstreamPort must be between 1 and 65535, but was " + upstreamPort);
        }
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            FaultProxy proxy = new FaultProxy(upstreamHost, upstreamPort, s);
            proxy.acceptor.start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a proxy port on 127.0.0.1", e);
        }
    }

    /** The local port clients connect to. */
    public int port() {
        return server.getLocalPort();
    }

    /** {@code 127.0.0.1:port}. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    /** Forward everything (again); bytes held during a blackhole are delivered first. */
    public synchronized void pass() {
        mode = Mode.PASS;
        delayNanos = 0;
        notifyAll();
    }

    /** Forward nothing, close nothing. */
    public synchronized void blackhole() {
        mode = Mode.BLACKHOLE;
        notifyAll();
    }

    /** Forward each chunk {@code delay} after it was read (zero: no delay). */
    public synchronized void delay(Duration delay) {
        if (delay == null || delay.isNegative()) {
            throw new IllegalArgumentException("delay must be zero or positive, but was " + delay);
        }
        mode = Mode.PASS;
        delayNanos = delay.toNanos();
        notifyAll();
    }

    /** Whether the proxy currently forwards nothing. */
    public synchronized boolean isBlackholed() {
        return mode == Mode.BLACKHOLE;
    }

    /** Closes every current connection; new ones are accepted as before. */
    public void reset() {
        for (Connection c : connections) {
            c.close();
        }
    }

    /** Connections currently open through the proxy. */
    public int connections() {
        return connections.size();
    }

    /** Stops accepting and closes every connection. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        synchronized (this) {
            notifyAll();
        }
        reset();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            if (connections.size() >= MAX_CONNECTIONS) {
                closeQuietly(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                upstream.connect(new InetSocketAddress(upstreamHost, upstreamPort), 5_000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            Connection c = new Connection(client, upstream, connectionCount.incrementAndGet());
            connections.add(c);
            c.start();
        }
    }

    /**
     * Waits while blackholed; returns the delay to apply, or -1 if the proxy or connection closed.
     */
    private synchronized long awaitForwarding(Connection c) throws InterruptedException {
        while (mode == Mode.BLACKHOLE && !closed && !c.closed) {
            wait(100);
        }
        return closed || c.closed ? -1 : delayNanos;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** Bytes read from one side, and when (nanoTime). */
    private record Chunk(long readAt, byte[] bytes) {
        static final Chunk END = new Chunk(0, new byte[0]);
    }

    private static Thread daemon(Runnable task, String name) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        return t;
    }

    /** One proxied connection: two pumps, closed together. */
    private final class Connection {
        private final Socket client;
        private final Socket upstream;
        private final int id;
        private volatile boolean closed;

        Connection(Socket client, Socket upstream, int id) {
            this.client = client;
            this.upstream = upstream;
            this.id = id;
        }

        void start() {
            try {
                pump(client.getInputStream(), upstream.getOutputStream(), "up");
                pump(upstream.getInputStream(), client.getOutputStream(), "down");
            } catch (IOException e) {
                close();
            }
        }

        /**
         * Forwards one direction with two threads: a reader that stamps each chunk with the time it
         * was read, and a writer that sends it once the delay has passed since that time. Chunks in
         * flight wait side by side, so a delay is a latency, as on a long link: two requests sent
         * back to back arrive one delay later, not two.
         */
        private void pump(InputStream in, OutputStream out, String direction) {
            BlockingQueue<Chunk> inFlight = new LinkedBlockingQueue<>(IN_FLIGHT);
            Thread reader =
                    daemon(
                            () -> {
                                byte[] buf = new byte[BUFFER];
                                try {
                                    while (true) {
                                        // Check before reading, so that a blackhole stops reading
                                        // (the peer hears nothing, not even a closed window).
                                        if (awaitForwarding(this) < 0) {
                                            break;
                                        }
                                        int n = in.read(buf);
                                        if (n < 0) {
                                            break;
                                        }
                                        inFlight.put(
                                                new Chunk(
                                                        System.nanoTime(), Arrays.copyOf(buf, n)));
                                    }
                                } catch (IOException e) {
                                    // closed by reset(), or the peer is gone
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                                // What was read still goes out (in order), then both close.
                                if (!inFlight.offer(Chunk.END)) {
                                    close();
                                }
                            },
                            "fault-proxy-" + port() + "-" + id + "-" + direction);
            Thread writer =
                    daemon(
                            () -> {
                                try {
                                    while (true) {
                                        Chunk c = inFlight.poll(100, TimeUnit.MILLISECONDS);
                                        if (c == null) {
                                            if (closed) {
                                                break;
                                            }
                                            continue;
                                        }
                                        if (c == Chunk.END) {
                                            break;
                                        }
                                        // Hold what was read while blackholed.
                                        long delay = awaitForwarding(this);
                                        if (delay < 0) {
                                            break;
                                        }
                                        long wait = c.readAt() + delay - System.nanoTime();
                                        if (wait > 0) {
                                            TimeUnit.NANOSECONDS.sleep(wait);
                                        }
                                        out.write(c.bytes());
                                        out.flush();
                                    }
                                } catch (IOException e) {
                                    // closed by reset(), or the peer is gone
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                } finally {
                                    close();
                                }
                            },
                            "fault-proxy-" + port() + "-" + id + "-" + direction + "-out");
            reader.start();
            writer.start();
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            connections.remove(this);
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }

    @Override
    public String toString() {
        return "FaultProxy{127.0.0.1:" + port() + " → " + upstreamHost + ":" + upstreamPort + "}";
    }
}
