package dev.baton.verify.run;

import dev.baton.BatonConfig;
import dev.baton.BatonException;
import dev.baton.FencedLease;
import dev.baton.Lease;
import dev.baton.LockTimeoutException;
import dev.baton.verify.History;
import dev.baton.verify.HistoryEvent;
import dev.baton.verify.HistoryEvent.Op;
import dev.baton.verify.HistoryEvent.Type;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * What every client process of a {@code baton verify} run shares, whatever its workload ({@link
 * VerifyClient}, {@link BufferClient}): its arguments, the history lines it prints, the journal of
 * its current lease (grant, deadlines, loss, release), and the runner's stop request on stdin.
 *
 * <p>Threads: the workload's main thread, a {@code deadline-monitor} thread that polls the current
 * lease every 10 ms and logs a {@code DEADLINE} event whenever a renewal has moved the local
 * deadline forward (so the checker knows until when the holder believed), Baton's callback executor
 * (loss callbacks, which only log) and the {@code stdin} thread. {@link #emit} and the lease
 * journal are guarded by {@code this}, so each line is whole, lines are in timestamp order, and the
 * grant, deadlines, loss and release of a lease are logged in the order they happened; a loss
 * callback that runs late for an earlier lease logs nothing (that lease was released, which ended
 * the belief).
 */
final class ClientRuntime {
    final String id;
    final String lockName;
    final Duration ttl;
    final Random random;
    private final Map<String, String> args;
    private final PrintStream out;
    private volatile boolean stopping;
    private Lease current; // guarded by this
    private long loggedDeadline; // guarded by this

    private ClientRuntime(Map<String, String> args) {
        this.args = args;
        this.id = require("id");
        this.lockName = require("lock");
        this.ttl = Duration.ofMillis(Long.parseLong(require("ttl-ms")));
        this.random = new Random(Long.parseLong(args.getOrDefault("seed", "0")));
        this.out =
                new PrintStream(
                        new java.io.FileOutputStream(java.io.FileDescriptor.out),
                        false,
                        StandardCharsets.UTF_8);
    }

    /** Parses {@code --key value} pairs and starts the stdin watcher. */
    static ClientRuntime start(String[] argv) {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        ClientRuntime rt = new ClientRuntime(args);
        Thread stdin = new Thread(rt::watchStdin, "stdin");
        stdin.setDaemon(true);
        stdin.start();
        return rt;
    }

    String require(String key) {
        String v = args.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + key);
        }
        return v;
    }

    String arg(String key, String otherwise) {
        return args.getOrDefault(key, otherwise);
    }

    boolean stopping() {
        return stopping;
    }

    BatonConfig config() {
        return BatonConfig.custom()
                .leaseTtl(ttl)
                .clientName(id.replace('#', '-'))
                .connectTimeout(Duration.ofSeconds(20))
                .build();
    }

    /** Connection attempt that may fail while the nemesis has the engine down. */
    interface Connect<C> {
        C connect() throws BatonException;
    }

    /**
     * Connects, retrying every 500 ms while the engine is down (the nemesis may be restarting it);
     * null if told to stop first. Then starts the deadline monitor.
     */
    <C> C connect(Connect<C> connect) {
        while (true) {
            try {
                C client = connect.connect();
                Thread monitor = new Thread(this::monitorDeadlines, "deadline-monitor");
                monitor.setDaemon(true);
                monitor.start();
                return client;
            } catch (BatonException e) {
                if (stopping) {
                    return null;
                }
                System.err.println(id + ": cannot connect yet: " + e.getMessage());
                sleepQuietly(500);
            }
        }
    }

    /** An event of this process on the lock, not yet stamped. */
    HistoryEvent event(Type type, Op op) {
        return HistoryEvent.of(0, id, type, op, lockName);
    }

    /** Stamps the event with the current time and prints it as one line. */
    synchronized void emit(HistoryEvent e) {
        out.println(History.toJsonLine(e.withNanos(System.nanoTime())));
        out.flush();
    }

    static long tokenOf(Lease lease) {
        return lease instanceof FencedLease f ? f.fencingToken() : HistoryEvent.NO_TOKEN;
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

    /**
     * One recorded acquire: logs its invocation, then its grant ({@link #granted}), its timeout, or
     * an unknown outcome (the request may have been granted and withdrawn; a short pause follows so
     * that a failing engine is not hammered). Returns the lease, or null if there is none.
     */
    <L extends Lease> L acquire(Function<Duration, L> acquire, Duration timeout) {
        emit(event(Type.INVOKE, Op.ACQUIRE));
        L lease;
        try {
            lease = acquire.apply(timeout);
        } catch (LockTimeoutException e) {
            emit(event(Type.FAIL, Op.ACQUIRE).withDetail("timeout"));
            return null;
        } catch (BatonException e) {
            emit(event(Type.INFO, Op.ACQUIRE).withDetail(e.getClass().getSimpleName()));
            sleepQuietly(100);
            return null;
        }
        granted(lease, event(Type.OK, Op.ACQUIRE));
        return lease;
    }

    /**
     * One recorded release: logs that the client gives the lease up ({@link #givingUp}), then the
     * answer — "not held" when the lease was already gone (lost, or released by an await) — or an
     * unknown outcome.
     */
    void release(Lease lease) {
        long token = tokenOf(lease);
        givingUp(event(Type.INVOKE, Op.RELEASE).withToken(token));
        try {
            boolean released = lease.release();
            emit(
                    event(Type.OK, Op.RELEASE)
                            .withToken(token)
                            .withDetail(released ? null : "not held"));
        } catch (BatonException e) {
            emit(
                    event(Type.INFO, Op.RELEASE)
                            .withToken(token)
                            .withDetail(e.getClass().getSimpleName()));
        }
    }

    /**
     * Logs {@code ok} (an {@code ACQUIRE ok} or {@code AWAIT ok}) as the grant of {@code lease},
     * with its token and deadline, makes it the current lease and logs its loss when it comes.
     */
    void granted(Lease lease, HistoryEvent ok) {
        long token = tokenOf(lease);
        synchronized (this) {
            current = lease;
            loggedDeadline = deadlineOf(lease);
            emit(ok.withToken(token).withDeadline(loggedDeadline));
        }
        lease.lost().thenAccept(loss -> lost(lease, token, String.valueOf(loss.reason())));
    }

    private synchronized void lost(Lease lease, long token, String reason) {
        if (current == lease) {
            emit(event(Type.INFO, Op.LEASE_LOST).withToken(token).withDetail(reason));
        }
    }

    /** Logs the deadline now (computed under the lock, so logged deadlines never go back). */
    synchronized void logDeadline(Lease lease, String detail) {
        if (current != lease) {
            return;
        }
        long deadline = deadlineOf(lease);
        loggedDeadline = Math.max(loggedDeadline, deadline);
        emit(
                event(Type.INFO, Op.DEADLINE)
                        .withToken(tokenOf(lease))
                        .withDeadline(deadline)
                        .withDetail(detail));
    }

    /**
     * Logs {@code invoke} (a {@code RELEASE} or {@code AWAIT} invoke) and stops treating the
     * current lease as held: from here on the process no longer acts as the holder.
     */
    synchronized void givingUp(HistoryEvent invoke) {
        current = null;
        emit(invoke);
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
                    logDeadline(lease, null);
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

    static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
