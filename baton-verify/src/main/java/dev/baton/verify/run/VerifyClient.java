package dev.baton.verify.run;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.BatonException;
import dev.baton.FencedLease;
import dev.baton.Lease;
import dev.baton.LockTimeoutException;
import dev.baton.redis.Redlock;
import dev.baton.verify.History;
import dev.baton.verify.HistoryEvent;
import dev.baton.verify.HistoryEvent.Op;
import dev.baton.verify.HistoryEvent.Type;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * One client process of a {@code baton verify} run (a child JVM, so that kill -9 and SIGSTOP are
 * real). It loops: acquire the mutex → read the register through the {@link FencedStore} with the
 * grant's token → work for a random while → check the lease → work a little more → write value + 1
 * with the token → release. Every step is printed to stdout as one JSON line of the history ({@link
 * HistoryEvent}, timestamped with {@code System.nanoTime()}, one monotonic clock for every process
 * on the machine).
 *
 * <p>It stops after the current cycle when its stdin says {@code stop} or closes (the runner died),
 * releasing its lease and closing its client.
 *
 * <p>Threads: the main thread runs the loop and owns the store connection. A monitor thread polls
 * the current lease every 10 ms and logs a {@code DEADLINE} event whenever a renewal has moved the
 * local deadline forward, so the checker knows until when the holder believed. Loss callbacks run
 * on Baton's callback executor and only log. {@link #emit} is synchronized, so each line is whole
 * and lines are in timestamp order.
 */
public final class VerifyClient {

    /**
     * Detail of the {@code DEADLINE} event logged when the holder has just checked its lease before
     * writing; the nemesis pauses holders at that moment, the worst one.
     */
    static final String CHECKED = "checked before write";

    /** The least time between that check and the write, so that the nemesis can land in it. */
    static final int GAP_MIN_MILLIS = 50;

    private final Map<String, String> args;
    private final String id;
    private final String lockName;
    private final Duration ttl;
    private final Random random;
    private final PrintStream out;
    private volatile boolean stopping;
    private Lease current; // guarded by this
    private long loggedDeadline; // guarded by this

    private Socket storeSocket;
    private BufferedReader storeIn;
    private PrintWriter storeOut;

    private VerifyClient(Map<String, String> args, PrintStream out) {
        this.args = args;
        this.id = require(args, "id");
        this.lockName = require(args, "lock");
        this.ttl = Duration.ofMillis(Long.parseLong(require(args, "ttl-ms")));
        this.random = new Random(Long.parseLong(args.getOrDefault("seed", "0")));
        this.out = out;
    }

    /** {@code --uri U --id c1 --lock L --store host:port --ttl-ms N [--seed S] [--hold-ms N]}. */
    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        PrintStream out =
                new PrintStream(
                        new java.io.FileOutputStream(java.io.FileDescriptor.out),
                        false,
                        StandardCharsets.UTF_8);
        new VerifyClient(args, out).run();
        System.exit(0);
    }

    private static String require(Map<String, String> args, String key) {
        String v = args.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + key);
        }
        return v;
    }

    private void run() throws Exception {
        Thread stdin = new Thread(this::watchStdin, "stdin");
        stdin.setDaemon(true);
        stdin.start();
        String uri = require(args, "uri");
        BatonConfig config =
                BatonConfig.custom()
                        .leaseTtl(ttl)
                        .clientName(id.replace('#', '-'))
                        .connectTimeout(Duration.ofSeconds(20))
                        .build();
        long holdMs = Long.parseLong(args.getOrDefault("hold-ms", "200"));
        Duration acquireTimeout = ttl.multipliedBy(3).plusSeconds(1);
        AutoCloseable client = null;
        Function<Duration, Lease> acquire = null;
        // A service keeps trying while its engine is down (the nemesis may be restarting it).
        while (client == null) {
            try {
                if (uri.startsWith("redlock:")) {
                    Redlock redlock = Redlock.connect(uri, config);
                    client = redlock;
                    acquire = redlock.mutex(lockName)::acquire;
                } else {
                    Baton baton = Baton.connect(uri, config);
                    client = baton;
                    acquire = baton.mutex(lockName)::acquire;
                }
            } catch (BatonException e) {
                if (stopping) {
                    return;
                }
                System.err.println(id + ": cannot connect yet: " + e.getMessage());
                sleepQuietly(500);
            }
        }
        Thread monitor = new Thread(this::monitorDeadlines, "deadline-monitor");
        monitor.setDaemon(true);
        monitor.start();
        Function<Duration, Lease> connected = acquire;
        try (AutoCloseable c = client) {
            while (!stopping) {
                cycle(connected, acquireTimeout, holdMs);
                sleepQuietly(random.nextInt(30));
            }
        }
    }

    private void cycle(Function<Duration, Lease> acquire, Duration timeout, long holdMs) {
        emit(event(Type.INVOKE, Op.ACQUIRE));
        Lease lease;
        try {
            lease = acquire.apply(timeout);
        } catch (LockTimeoutException e) {
            emit(event(Type.FAIL, Op.ACQUIRE).withDetail("timeout"));
            return;
        } catch (BatonException e) {
            // The request may or may not have been granted and withdrawn: unknown outcome.
            emit(event(Type.INFO, Op.ACQUIRE).withDetail(e.getClass().getSimpleName()));
            sleepQuietly(100);
            return;
        }
        long token = lease instanceof FencedLease f ? f.fencingToken() : HistoryEvent.NO_TOKEN;
        granted(lease, token);
        lease.lost().thenAccept(loss -> lost(lease, token, String.valueOf(loss.reason())));
        try {
            Long read = store("READ", token, null, Op.READ);
            if (read != null) {
                int bound = (int) Math.max(0, holdMs / 2) + 1;
                sleepQuietly(random.nextInt(bound)); // work before the check
                // The check a careful holder makes before its side effect. What follows it stands
                // for the gap every real side effect has between the check and the moment the
                // resource applies it (more work, a GC pause, a slow network): a pause that lands
                // there is what fencing exists for.
                if (lease.isHeld()) {
                    logDeadline(lease, token, CHECKED);
                    sleepQuietly(GAP_MIN_MILLIS + random.nextInt(bound));
                    store("WRITE", token, read, Op.WRITE);
                }
            }
        } finally {
            releasing(token);
            try {
                boolean released = lease.release();
                emit(
                        event(Type.OK, Op.RELEASE)
                                .withToken(token)
                                .withDetail(released ? null : "already lost"));
            } catch (BatonException e) {
                emit(
                        event(Type.INFO, Op.RELEASE)
                                .withToken(token)
                                .withDetail(e.getClass().getSimpleName()));
            }
        }
    }

    /**
     * One store request; logs invoke and outcome. Returns the value read (READ) or the value
     * written (WRITE) when accepted, else null.
     */
    private Long store(String verb, long token, Long readValue, Op op) {
        Long value = op == Op.WRITE ? readValue + 1 : null;
        HistoryEvent invoke = event(Type.INVOKE, op).withToken(token);
        if (op == Op.WRITE) {
            invoke = invoke.withRegister(readValue, value);
        }
        emit(invoke);
        String request =
                verb + " " + lockName + " " + token + " " + id + (value == null ? "" : " " + value);
        String reply;
        try {
            reply = roundTrip(request);
        } catch (IOException e) {
            closeStore();
            emit(invoke.withDetail("store: " + e.getMessage()).withType(Type.INFO));
            return null;
        }
        if (reply.startsWith("OK")) {
            if (op == Op.READ) {
                long v = Long.parseLong(reply.substring(3).trim());
                emit(event(Type.OK, op).withToken(token).withRegister(null, v));
                return v;
            }
            emit(invoke.withType(Type.OK));
            return value;
        }
        emit(invoke.withType(Type.FAIL).withDetail("store: " + reply));
        return null;
    }

    private String roundTrip(String request) throws IOException {
        if (storeSocket == null) {
            String[] hp = require(args, "store").split(":");
            Socket s = new Socket();
            s.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 5_000);
            s.setTcpNoDelay(true);
            s.setSoTimeout(10_000);
            storeSocket = s;
            storeIn =
                    new BufferedReader(
                            new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            storeOut =
                    new PrintWriter(
                            new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8),
                            true);
        }
        storeOut.println(request);
        String reply = storeIn.readLine();
        if (reply == null) {
            throw new IOException("store closed the connection");
        }
        return reply;
    }

    private void closeStore() {
        try {
            if (storeSocket != null) {
                storeSocket.close();
            }
        } catch (IOException ignored) {
            // reconnecting anyway
        }
        storeSocket = null;
    }

    /**
     * The holder's local deadline on this machine's nanoTime clock. Reads the remaining time first
     * and the clock second, so the result is never earlier than the true deadline: the checker then
     * errs towards "still believed", the strict side.
     */
    private static long deadlineOf(Lease lease) {
        long remaining = lease.remaining().toNanos();
        long now = System.nanoTime();
        return remaining == 0 ? now : now + remaining;
    }

    // What the history says about the current lease. Guarded by this (as emit is), so that the
    // grant, its deadlines, its loss and its release are logged in the order they happened, and a
    // loss callback that runs late for an earlier lease logs nothing: that lease was released,
    // which ended its holder's belief already.

    private synchronized void granted(Lease lease, long token) {
        current = lease;
        loggedDeadline = deadlineOf(lease);
        emit(event(Type.OK, Op.ACQUIRE).withToken(token).withDeadline(loggedDeadline));
    }

    private synchronized void lost(Lease lease, long token, String reason) {
        if (current == lease) {
            emit(event(Type.INFO, Op.LEASE_LOST).withToken(token).withDetail(reason));
        }
    }

    /** Logs the deadline now (computed under the lock, so logged deadlines never go back). */
    private synchronized void logDeadline(Lease lease, long token, String detail) {
        if (current != lease) {
            return;
        }
        long deadline = deadlineOf(lease);
        loggedDeadline = Math.max(loggedDeadline, deadline);
        emit(
                event(Type.INFO, Op.DEADLINE)
                        .withToken(token)
                        .withDeadline(deadline)
                        .withDetail(detail));
    }

    private synchronized void releasing(long token) {
        current = null;
        emit(event(Type.INVOKE, Op.RELEASE).withToken(token));
    }

    private void monitorDeadlines() {
        while (true) {
            sleepQuietly(10);
            synchronized (this) {
                Lease lease = current;
                if (lease == null) {
                    continue;
                }
                // A renewal moves the deadline by about TTL/3; poll jitter is microseconds.
                long deadline = deadlineOf(lease);
                if (deadline - loggedDeadline > 5_000_000 && lease.remaining().toNanos() > 0) {
                    long token =
                            lease instanceof FencedLease f
                                    ? f.fencingToken()
                                    : HistoryEvent.NO_TOKEN;
                    logDeadline(lease, token, null);
                }
            }
        }
    }

    private void watchStdin() {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.trim().equals("stop")) {
                    break;
                }
            }
        } catch (IOException ignored) {
            // treated as end of input
        }
        stopping = true;
        // The cycle ends within an acquire timeout; closing may hang on an engine that is gone
        // (the runner died and took its servers along). Never outlive the run by much.
        sleepQuietly(ttl.multipliedBy(4).plusSeconds(15).toMillis());
        System.err.println(id + ": did not stop in time; halting");
        Runtime.getRuntime().halt(3);
    }

    private HistoryEvent event(Type type, Op op) {
        return HistoryEvent.of(0, id, type, op, lockName);
    }

    /** Stamps the event with the current time and prints it as one line. */
    private synchronized void emit(HistoryEvent e) {
        out.println(History.toJsonLine(e.withNanos(System.nanoTime())));
        out.flush();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
