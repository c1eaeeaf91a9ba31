package dev.baton.verify.run;

import dev.baton.Baton;
import dev.baton.BatonException;
import dev.baton.FencedLease;
import dev.baton.Monitor;
import dev.baton.MonitorCondition;
import dev.baton.internal.TwoStepControl;
import dev.baton.verify.HistoryEvent;
import dev.baton.verify.HistoryEvent.Op;
import dev.baton.verify.HistoryEvent.Type;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * One client process of a {@code baton verify --workload buffer} run: a producer or a consumer of
 * the bounded buffer kept in the {@link FencedBuffer}, using it only under the monitor named by
 * {@code --lock}, with the textbook loop (Mesa semantics: re-check after every wake-up):
 *
 * <pre>
 * producer: enter; read; while full:  await not-full;  read; put item;  signal not-empty; release
 * consumer: enter; read; while empty: await not-empty; read; take head; signal not-full;  release
 * </pre>
 *
 * Every read and write carries the current lease's fencing token (a wake-up is a new lease with a
 * new token), and every step is printed as a history line ({@link HistoryEvent}: {@code ACQUIRE},
 * {@code READ}, {@code AWAIT}, {@code PUT}/{@code TAKE}, {@code SIGNAL}, {@code RELEASE}). Each
 * await has a finite timeout, the safety net for a signal that went to a waiter that died; it is
 * longer than {@link dev.baton.verify.BufferRules}' wake bound, so the lost wake-up rule sees a
 * wake-up that only the timeout ended.
 *
 * <p>With {@code --two-step true} it is the control: its awaits release the monitor and join the
 * wait queue in two requests, {@link #TWO_STEP_GAP} apart ({@link TwoStepControl}), so a signal
 * sent in the gap finds no waiter and is lost. Never a way to run a program.
 *
 * <p>It stops when its stdin says {@code stop} or closes: it finishes its cycle (a waiter waits for
 * its signal or its timeout, and starts no new wait), releases and closes its client. Waiters are
 * not interrupted: on ZooKeeper an await interrupted while it recreates its condition's directory
 * can leave that directory behind, which the residue check would report.
 *
 * <p>Threads: the main thread runs the loop and owns the store connection; the rest is {@link
 * ClientRuntime}'s.
 */
public final class BufferClient {
    /** The two conditions. */
    static final String NOT_FULL = "not-full";

    static final String NOT_EMPTY = "not-empty";

    /** The gap of the two-step control's await: long enough that a signal lands in it reliably. */
    static final Duration TWO_STEP_GAP = Duration.ofMillis(200);

    /** Thrown to end the current cycle early (a refused or failed step was logged already). */
    private static final class Abandon extends Exception {
        Abandon() {
            super(null, null, false, false);
        }
    }

    private final ClientRuntime rt;
    private final StoreConnection store;
    private final boolean producer;
    private final int capacity;
    private final Duration awaitTimeout;
    private final boolean twoStep;
    private int made; // items made so far; main thread only

    private BufferClient(ClientRuntime rt) {
        this.rt = rt;
        this.store = new StoreConnection(rt.require("store"));
        this.producer = rt.require("role").equals("producer");
        this.capacity = Integer.parseInt(rt.require("capacity"));
        this.awaitTimeout = Duration.ofMillis(Long.parseLong(rt.require("await-ms")));
        this.twoStep = Boolean.parseBoolean(rt.arg("two-step", "false"));
    }

    /**
     * {@code --uri U --id c1 --lock L --store host:port --ttl-ms N --role producer|consumer
     * --capacity N --await-ms N [--two-step true] [--seed S]}.
     */
    public static void main(String[] argv) throws Exception {
        new BufferClient(ClientRuntime.start(argv)).run();
        System.exit(0);
    }

    private void run() throws Exception {
        String uri = rt.require("uri");
        Baton baton = rt.connect(() -> Baton.connect(uri, rt.config()));
        if (baton == null) {
            return;
        }
        Monitor monitor = baton.monitor(rt.lockName);
        MonitorCondition notFull = condition(monitor, NOT_FULL);
        MonitorCondition notEmpty = condition(monitor, NOT_EMPTY);
        Duration enterTimeout = rt.ttl.multipliedBy(3).plusSeconds(1);
        try (baton) {
            while (!rt.stopping()) {
                cycle(
                        monitor,
                        producer ? notFull : notEmpty,
                        producer ? notEmpty : notFull,
                        enterTimeout);
                ClientRuntime.sleepQuietly(rt.random.nextInt(50)); // making or using an item
            }
        }
    }

    private MonitorCondition condition(Monitor monitor, String name) {
        MonitorCondition c = monitor.condition(name);
        return twoStep
                ? TwoStepControl.twoStep(
                        c, () -> ClientRuntime.sleepQuietly(TWO_STEP_GAP.toMillis()))
                : c;
    }

    /** One put or take; {@code waitOn} is the condition this role waits for. */
    private void cycle(
            Monitor monitor, MonitorCondition waitOn, MonitorCondition signalTo, Duration timeout) {
        FencedLease lease = rt.acquire(monitor::enter, timeout);
        if (lease == null) {
            return;
        }
        try {
            List<String> items = read(lease);
            while (producer ? items.size() >= capacity : items.isEmpty()) {
                lease = await(waitOn, lease);
                items = read(lease);
            }
            if (!lease.isHeld()) {
                return;
            }
            // The nemesis pauses holders here, between the check and the write (see VerifyClient).
            rt.logDeadline(lease, VerifyClient.CHECKED);
            ClientRuntime.sleepQuietly(rt.random.nextInt(VerifyClient.GAP_MIN_MILLIS));
            if (producer) {
                put(lease, rt.id + "-" + (++made));
            } else {
                take(lease, items.get(0));
            }
            signal(signalTo, lease);
        } catch (Abandon e) {
            ClientRuntime.sleepQuietly(100);
        } finally {
            rt.release(lease);
        }
    }

    /** Gives the monitor up until {@code condition} is signalled or times out; the new lease. */
    private FencedLease await(MonitorCondition condition, FencedLease lease) throws Abandon {
        HistoryEvent invoke =
                rt.event(Type.INVOKE, Op.AWAIT)
                        .withToken(lease.fencingToken())
                        .withCondition(condition.name())
                        .withValue(awaitTimeout.toMillis());
        if (rt.stopping()) {
            throw new Abandon(); // no new wait once told to stop; the cycle releases
        }
        rt.givingUp(invoke);
        MonitorCondition.Wakeup w;
        try {
            w = condition.await(lease, awaitTimeout);
        } catch (BatonException e) {
            rt.emit(invoke.withType(Type.INFO).withDetail(e.getClass().getSimpleName()));
            throw new Abandon();
        }
        rt.granted(
                w.lease(),
                rt.event(Type.OK, Op.AWAIT)
                        .withCondition(condition.name())
                        .withValue(w.signalled() ? 1L : 0L));
        return w.lease();
    }

    private void signal(MonitorCondition condition, FencedLease lease) {
        HistoryEvent invoke =
                rt.event(Type.INVOKE, Op.SIGNAL)
                        .withToken(lease.fencingToken())
                        .withCondition(condition.name());
        rt.emit(invoke);
        try {
            boolean found = condition.signal(lease);
            rt.emit(invoke.withType(Type.OK).withValue(found ? 1L : 0L));
        } catch (BatonException e) {
            rt.emit(invoke.withType(Type.INFO).withDetail(e.getClass().getSimpleName()));
        }
    }

    /** The buffer's items under {@code lease}'s token. */
    private List<String> read(FencedLease lease) throws Abandon {
        HistoryEvent invoke = rt.event(Type.INVOKE, Op.READ).withToken(lease.fencingToken());
        String reply = request(invoke, "READ");
        if (!reply.startsWith("OK ")) {
            rt.emit(invoke.withType(Type.FAIL).withDetail("store: " + reply));
            throw new Abandon();
        }
        String list = reply.substring(3).trim();
        List<String> items = list.equals("-") ? List.of() : Arrays.asList(list.split(","));
        rt.emit(
                invoke.withType(Type.OK)
                        .withValue((long) items.size())
                        .withItem(String.join(",", items)));
        return items;
    }

    private void put(FencedLease lease, String item) throws Abandon {
        HistoryEvent invoke =
                rt.event(Type.INVOKE, Op.PUT).withToken(lease.fencingToken()).withItem(item);
        String reply = request(invoke, "PUT");
        if (!reply.startsWith("OK ")) {
            rt.emit(invoke.withType(Type.FAIL).withDetail("store: " + reply));
            throw new Abandon();
        }
        rt.emit(invoke.withType(Type.OK).withValue(Long.parseLong(reply.substring(3).trim())));
    }

    /** Takes the oldest item, which the holder saw as {@code head}. */
    private void take(FencedLease lease, String head) throws Abandon {
        HistoryEvent invoke =
                rt.event(Type.INVOKE, Op.TAKE).withToken(lease.fencingToken()).withItem(head);
        String reply = request(invoke, "TAKE");
        if (reply.equals("EMPTY")) {
            rt.emit(invoke.withType(Type.FAIL).withValue(0L).withDetail("store: EMPTY"));
            throw new Abandon();
        }
        if (!reply.startsWith("OK ")) {
            rt.emit(invoke.withType(Type.FAIL).withDetail("store: " + reply));
            throw new Abandon();
        }
        String[] f = reply.substring(3).trim().split(" ");
        rt.emit(invoke.withType(Type.OK).withItem(f[0]).withValue(Long.parseLong(f[1])));
    }

    /** Logs {@code invoke}, sends the request; an unreachable store is logged as unknown. */
    private String request(HistoryEvent invoke, String verb) throws Abandon {
        rt.emit(invoke);
        String request =
                verb
                        + " "
                        + rt.lockName
                        + " "
                        + invoke.token()
                        + " "
                        + rt.id
                        + (invoke.op() == Op.PUT ? " " + invoke.item() : "");
        try {
            return store.roundTrip(request);
        } catch (IOException e) {
            rt.emit(invoke.withType(Type.INFO).withDetail("store: " + e.getMessage()));
            throw new Abandon();
        }
    }
}
