package dev.baton.verify.run;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.Lease;
import dev.baton.redis.Redlock;
import dev.baton.verify.HistoryEvent;
import dev.baton.verify.HistoryEvent.Op;
import dev.baton.verify.HistoryEvent.Type;
import java.io.IOException;
import java.time.Duration;
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
 * <p>Threads: the main thread runs the loop and owns the store connection; the rest is {@link
 * ClientRuntime}'s.
 */
public final class VerifyClient {

    /**
     * Detail of the {@code DEADLINE} event logged when the holder has just checked its lease before
     * writing; the nemesis pauses holders at that moment, the worst one.
     */
    static final String CHECKED = "checked before write";

    /** The least time between that check and the write, so that the nemesis can land in it. */
    static final int GAP_MIN_MILLIS = 50;

    private final ClientRuntime rt;
    private final StoreConnection store;

    private VerifyClient(ClientRuntime rt) {
        this.rt = rt;
        this.store = new StoreConnection(rt.require("store"));
    }

    /** {@code --uri U --id c1 --lock L --store host:port --ttl-ms N [--seed S] [--hold-ms N]}. */
    public static void main(String[] argv) throws Exception {
        new VerifyClient(ClientRuntime.start(argv)).run();
        System.exit(0);
    }

    private void run() throws Exception {
        String uri = rt.require("uri");
        BatonConfig config = rt.config();
        long holdMs = Long.parseLong(rt.arg("hold-ms", "200"));
        Duration acquireTimeout = rt.ttl.multipliedBy(3).plusSeconds(1);
        AutoCloseable client =
                rt.connect(
                        () ->
                                uri.startsWith("redlock:")
                                        ? Redlock.connect(uri, config)
                                        : Baton.connect(uri, config));
        if (client == null) {
            return;
        }
        Function<Duration, Lease> acquire =
                client instanceof Redlock redlock
                        ? redlock.mutex(rt.lockName)::acquire
                        : ((Baton) client).mutex(rt.lockName)::acquire;
        try (AutoCloseable c = client) {
            while (!rt.stopping()) {
                cycle(acquire, acquireTimeout, holdMs);
                ClientRuntime.sleepQuietly(rt.random.nextInt(30));
            }
        }
    }

    private void cycle(Function<Duration, Lease> acquire, Duration timeout, long holdMs) {
        Lease lease = rt.acquire(acquire, timeout);
        if (lease == null) {
            return;
        }
        long token = ClientRuntime.tokenOf(lease);
        try {
            Long read = store("READ", token, null, Op.READ);
            if (read != null) {
                int bound = (int) Math.max(0, holdMs / 2) + 1;
                ClientRuntime.sleepQuietly(rt.random.nextInt(bound)); // work before the check
                // The check a careful holder makes before its side effect. What follows it stands
                // for the gap every real side effect has between the check and the moment the
                // resource applies it (more work, a GC pause, a slow network): a pause that lands
                // there is what fencing exists for.
                if (lease.isHeld()) {
                    rt.logDeadline(lease, CHECKED);
                    ClientRuntime.sleepQuietly(GAP_MIN_MILLIS + rt.random.nextInt(bound));
                    store("WRITE", token, read, Op.WRITE);
                }
            }
        } finally {
            rt.release(lease);
        }
    }

    /**
     * One store request; logs invoke and outcome. Returns the value read (READ) or the value
     * written (WRITE) when accepted, else null.
     */
    private Long store(String verb, long token, Long readValue, Op op) {
        Long value = op == Op.WRITE ? readValue + 1 : null;
        HistoryEvent invoke = rt.event(Type.INVOKE, op).withToken(token);
        if (op == Op.WRITE) {
            invoke = invoke.withRegister(readValue, value);
        }
        rt.emit(invoke);
        String request =
                verb
                        + " "
                        + rt.lockName
                        + " "
                        + token
                        + " "
                        + rt.id
                        + (value == null ? "" : " " + value);
        String reply;
        try {
            reply = store.roundTrip(request);
        } catch (IOException e) {
            rt.emit(invoke.withDetail("store: " + e.getMessage()).withType(Type.INFO));
            return null;
        }
        if (reply.startsWith("OK")) {
            if (op == Op.READ) {
                long v = Long.parseLong(reply.substring(3).trim());
                rt.emit(rt.event(Type.OK, op).withToken(token).withRegister(null, v));
                return v;
            }
            rt.emit(invoke.withType(Type.OK));
            return value;
        }
        rt.emit(invoke.withType(Type.FAIL).withDetail("store: " + reply));
        return null;
    }
}
