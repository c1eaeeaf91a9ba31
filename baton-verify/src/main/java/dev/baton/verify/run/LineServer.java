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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * A loopback TCP server for a line protocol: one request line in, one reply line out, for the
 * fenced resources of a {@code baton verify} run ({@link FencedStore}, {@link FencedBuffer}).
 *
 * <p>Threads: one acceptor thread, one thread per connection (a handful of clients); the handler is
 * called from all of them, so it makes each request atomic itself.
 */
final class LineServer implements AutoCloseable {
    private final ServerSocket server;
    private final UnaryOperator<String> handler;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private LineServer(ServerSocket server, UnaryOperator<String> handler) {
        this.server = server;
        this.handler = handler;
    }

    /** Starts serving {@code handler} on a free loopback port. */
    static LineServer start(String name, UnaryOperator<String> handler) {
        try {
            ServerSocket server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            LineServer s = new LineServer(server, handler);
            Thread acceptor = new Thread(() -> s.acceptLoop(name), name + "-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the " + name + "'s port", e);
        }
    }

    /** {@code host:port} for clients. */
    String address() {
        return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    private void acceptLoop(String name) {
        while (!closed) {
            try {
                Socket s = server.accept();
                connections.add(s);
                Thread t = new Thread(() -> serve(s), name + "-" + s.getPort());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println(name + ": accept failed: " + e.getMessage());
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
                out.println(handler.apply(line));
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
