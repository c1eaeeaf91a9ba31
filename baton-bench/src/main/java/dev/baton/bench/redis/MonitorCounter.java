package dev.baton.bench.redis;

import dev.baton.bench.BenchEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Counts the commands clients send to a redis-server by reading its {@code MONITOR} stream. {@code
 * INFO commandstats} cannot: it also counts every command a Lua script runs, so a lock that is one
 * {@code EVALSHA} per step would look like ten. Lines from scripts ({@code [0 lua]}) and the
 * harness's own {@code INFO} and {@code ECHO} are left out.
 *
 * <p>The stream is asynchronous, so {@link #commands()} sends a numbered {@code ECHO} marker on a
 * second connection and returns the count the reader had when the marker came through: every
 * command that the server executed before the marker is counted, none after.
 *
 * <p>Threads: the reader thread ({@code bench-redis-monitor}) owns the socket's input and the
 * tallies, and publishes a snapshot at each marker under this object's monitor; {@link #commands()}
 * callers hold the same monitor while waiting, so one marker is in flight at a time.
 */
final class MonitorCounter implements BenchEngine.CommandCount {
    private static final String MARK = "bench-mark-";
    private static final long MARK_TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(30);

    private final Socket monitor;
    private final Socket control;
    private final BufferedReader controlIn;
    private final Thread reader;

    // Owned by the reader thread.
    private long total;
    private final Map<String, Long> names = new HashMap<>();

    // Guarded by this.
    private long markSent;
    private long markSeen;
    private long totalAtMark;
    private Map<String, Long> namesAtMark = Map.of();
    private IOException failure;

    MonitorCounter(String host, int port) throws IOException {
        monitor = connect(host, port);
        control = connect(host, port);
        controlIn =
                new BufferedReader(
                        new InputStreamReader(control.getInputStream(), StandardCharsets.UTF_8));
        BufferedReader in =
                new BufferedReader(
                        new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8));
        send(monitor.getOutputStream(), "MONITOR");
        String ok = in.readLine();
        if (!"+OK".equals(ok)) {
            close();
            throw new IOException("MONITOR answered " + ok);
        }
        reader = new Thread(() -> read(in), "bench-redis-monitor");
        reader.setDaemon(true);
        reader.start();
    }

    private static Socket connect(String host, int port) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, port), 5_000);
        return s;
    }

    private static void send(OutputStream out, String inline) throws IOException {
        out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reader thread: {@code +<time> [<db> <source>] "<cmd>" "<arg>"…} per command. */
    private void read(BufferedReader in) {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                int close = line.indexOf("] \"");
                if (close < 0) {
                    continue;
                }
                if (line.lastIndexOf(" lua]", close + 1) >= 0) {
                    continue; // run by a script, not sent by a client
                }
                int start = close + 3;
                int end = line.indexOf('"', start);
                String name = line.substring(start, end < 0 ? line.length() : end).toUpperCase();
                if (name.equals("ECHO")) {
                    int at = line.indexOf(MARK, end);
                    if (at >= 0) {
                        long n =
                                Long.parseLong(
                                        line.substring(at + MARK.length(), line.indexOf('"', at)));
                        synchronized (this) {
                            markSeen = n;
                            totalAtMark = total;
                            namesAtMark = new TreeMap<>(names);
                            notifyAll();
                        }
                    }
                    continue;
                }
                if (name.equals("INFO")) {
                    continue;
                }
                total++;
                names.merge(name, 1L, Long::sum);
            }
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                failure = e instanceof IOException io ? io : new IOException(e);
                notifyAll();
            }
        }
    }

    @Override
    public synchronized long commands() throws IOException, InterruptedException {
        long n = ++markSent;
        send(control.getOutputStream(), "ECHO " + MARK + n);
        controlIn.readLine(); // $<len>
        controlIn.readLine(); // the marker
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MARK_TIMEOUT_MILLIS);
        while (markSeen < n) {
            if (failure != null) {
                throw new IOException("MONITOR stream failed", failure);
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new IOException("marker " + n + " not seen on MONITOR in 30 s");
            }
            wait(left);
        }
        return totalAtMark;
    }

    @Override
    public synchronized Map<String, Long> byName() {
        return namesAtMark;
    }

    @Override
    public void close() {
        try {
            monitor.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
        try {
            control.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
    }
}
