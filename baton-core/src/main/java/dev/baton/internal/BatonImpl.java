package dev.baton.internal;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.ClientClosedException;
import dev.baton.ConnectionState;
import dev.baton.Election;
import dev.baton.FencedLease;
import dev.baton.InvalidArgumentException;
import dev.baton.KeyValueStore;
import dev.baton.LeaseKind;
import dev.baton.LeaseLock;
import dev.baton.LeaseLoss;
import dev.baton.LockSnapshot;
import dev.baton.Monitor;
import dev.baton.Mutex;
import dev.baton.Names;
import dev.baton.ReadWriteLock;
import dev.baton.Semaphore;
import dev.baton.Subscription;
import dev.baton.Ticker;
import dev.baton.WatchEvent;
import dev.baton.WatchListener;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.Backend;
import dev.baton.spi.BackendContext;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client. Owns these threads: one scheduler (renewal ticks, timeouts of asynchronous acquires,
 * and the backend's timers and event hand-offs, through {@link BackendContext#scheduler()}; never
 * blocks), one deadline checker (nothing else runs there, so loss signals are never delayed), a
 * cached pool of daemon workers (user callbacks unless the user gave an executor, and engine calls
 * triggered by callbacks), and whatever the backend runs. <b>Internal.</b>
 */
final class BatonImpl implements Baton, BackendContext {
    private final String uri;
    private final BatonConfig config;
    private final String clientId;
    private final String namespace;
    private final ScheduledThreadPoolExecutor timer;
    private final ScheduledThreadPoolExecutor deadlines;
    private final ExecutorService workers;
    private final Executor callbacks;
    private final LeaseManager leases;
    private final KeyValueStore keyValue = new KeyValueStoreImpl(this);
    private final Set<SubscriptionImpl> subscriptions = ConcurrentHashMap.newKeySet();
    private final Object connectionLock = new Object();
    private volatile ConnectionState connectionState = ConnectionState.CONNECTED;
    private final Set<CandidacyImpl> candidacies = ConcurrentHashMap.newKeySet();
    private volatile Backend<Object> backend;
    private volatile boolean closed;

    BatonImpl(String uri, BatonConfig config, String clientId, String namespace) {
        this.uri = uri;
        this.config = config;
        this.clientId = clientId;
        this.namespace = namespace;
        this.timer = new ScheduledThreadPoolExecutor(1, daemon("baton-scheduler-" + clientId));
        this.timer.setRemoveOnCancelPolicy(true);
        this.deadlines =
                new ScheduledThreadPoolExecutor(1, daemon("baton-lease-deadline-" + clientId));
        this.workers = Executors.newCachedThreadPool(daemon("baton-worker-" + clientId));
        this.callbacks = config.callbackExecutor().map(this::enteredFromWorkers).orElse(workers);
        this.leases =
                new LeaseManager(
                        clientId,
                        config.ticker(),
                        timer,
                        deadlines,
                        callbacks,
                        workers,
                        new LeaseEvents(config.leaseListener(), workers));
    }

    /**
     * User code must never run on an engine thread, even if the user's executor runs tasks on the
     * caller's thread: enter it from a Baton worker. If it refuses a task, the worker runs it.
     */
    private Executor enteredFromWorkers(Executor user) {
        return task ->
                workers.execute(
                        () -> {
                            try {
                                user.execute(task);
                            } catch (RejectedExecutionException e) {
                                task.run();
                            }
                        });
    }

    /**
     * Attaches the connected backend and starts lease renewal. The core only ever hands a backend
     * the grants that backend reported, so treating its grant type as {@code Object} is safe.
     */
    @SuppressWarnings("unchecked")
    void start(Backend<?> opened) {
        Backend<Object> connected = (Backend<Object>) opened;
        this.backend = connected;
        leases.start(connected, connected.leaseTtl(), marginFor(connected));
    }

    private java.time.Duration marginFor(Backend<?> b) {
        // Keep the configured margin's share of the TTL when the engine negotiated another TTL.
        if (b.leaseTtl().equals(config.leaseTtl())) {
            return config.safetyMargin();
        }
        double share = (double) config.safetyMargin().toNanos() / config.leaseTtl().toNanos();
        return java.time.Duration.ofNanos((long) (b.leaseTtl().toNanos() * share));
    }

    /** Stops threads after a failed connect. */
    void abandon() {
        timer.shutdownNow();
        deadlines.shutdownNow();
        workers.shutdownNow();
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ---- BackendContext ----

    @Override
    public BatonConfig config() {
        return config;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public String namespace() {
        return namespace;
    }

    @Override
    public Ticker ticker() {
        return config.ticker();
    }

    @Override
    public Executor blockingExecutor() {
        return workers;
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return timer;
    }

    @Override
    public void grantLost(Object grant, LeaseLoss.Reason reason, String detail) {
        leases.grantLost(grant, reason, detail);
    }

    @Override
    public void sessionSuspended() {
        leases.sessionSuspended();
        connection(ConnectionState.DISCONNECTED);
    }

    @Override
    public void sessionConfirmed(long sentAtNanos) {
        leases.sessionConfirmed(sentAtNanos);
        connection(ConnectionState.CONNECTED);
    }

    @Override
    public void engineUnreachable() {
        connection(ConnectionState.DISCONNECTED);
    }

    @Override
    public void engineReachable() {
        connection(ConnectionState.CONNECTED);
    }

    /**
     * A change of what the client knows of its engine, told to every subscription. Under {@code
     * connectionLock} so that two racing reports (a failed request on one thread, a keep-alive
     * answered on another) reach every subscription in the order the state took; offering only
     * enqueues, so engine threads may call this.
     */
    private void connection(ConnectionState next) {
        synchronized (connectionLock) {
            if (connectionState == next) {
                return;
            }
            connectionState = next;
            for (SubscriptionImpl s : subscriptions) {
                if (next == ConnectionState.DISCONNECTED) {
                    s.accept(WatchEvent.disconnected());
                } else {
                    s.accept(WatchEvent.reconnected());
                    s.accept(WatchEvent.resync());
                }
            }
        }
    }

    @Override
    public ConnectionState connectionState() {
        return connectionState;
    }

    @Override
    public void sessionLost(LeaseLoss.Reason reason, String detail) {
        leases.sessionLost(reason, detail);
    }

    // ---- for the primitives ----

    Backend<Object> backend() {
        return backend;
    }

    /**
     * Starts an acquisition; the returned future settles every race between the backend's answer
     * and the caller giving up ({@link AcquireCall}).
     */
    AcquireCall acquire(AcquireRequest request) {
        AcquireCall call = new AcquireCall(leases, request);
        try {
            call.attach(backend.acquire(request, call));
        } catch (RuntimeException e) { // not even sent (closing): the caller sees a failed future
            call.failed(e);
        }
        return call;
    }

    /** An acquisition whose backend request the caller sends itself (a monitor wait). */
    AcquireCall newCall(AcquireRequest request) {
        return new AcquireCall(leases, request);
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    Executor callbackExecutor() {
        return callbacks;
    }

    @Override
    public List<FencedLease> leases() {
        return List.copyOf(leases.held());
    }

    void ensureOpen() {
        if (closed) {
            throw new ClientClosedException(clientId);
        }
    }

    void track(CandidacyImpl c) {
        candidacies.add(c);
    }

    void untrack(CandidacyImpl c) {
        candidacies.remove(c);
    }

    // ---- Baton ----

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public Mutex mutex(String name) {
        ensureOpen();
        return new LockImpl(this, Names.validate(name), LeaseKind.MUTEX, 1);
    }

    @Override
    public Semaphore semaphore(String name, int permits) {
        ensureOpen();
        Names.validate(name);
        if (permits < 1) {
            throw InvalidArgumentException.mustBe(
                    "permits of semaphore \"" + name + "\"", "at least 1", permits);
        }
        return new LockImpl(this, name, LeaseKind.SEMAPHORE, permits);
    }

    @Override
    public ReadWriteLock readWriteLock(String name) {
        ensureOpen();
        Names.validate(name);
        LeaseLock read = new LockImpl(this, name, LeaseKind.READ, 1);
        LeaseLock write = new LockImpl(this, name, LeaseKind.WRITE, 1);
        return new ReadWriteLock() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public LeaseLock readLock() {
                return read;
            }

            @Override
            public LeaseLock writeLock() {
                return write;
            }
        };
    }

    @Override
    public Election election(String name) {
        ensureOpen();
        return new ElectionImpl(this, Names.validate(name));
    }

    @Override
    public Monitor monitor(String name) {
        ensureOpen();
        return new MonitorImpl(this, Names.validate(name));
    }

    @Override
    public KeyValueStore keyValue() {
        return keyValue;
    }

    @Override
    public Subscription watch(String prefix, WatchListener listener) {
        Names.validatePrefix(prefix);
        if (listener == null) {
            throw InvalidArgumentException.mustBe(
                    "listener for \"" + prefix + "\"", "non-null", null);
        }
        ensureOpen();
        SubscriptionImpl[] self = new SubscriptionImpl[1];
        SubscriptionImpl s =
                new SubscriptionImpl(
                        prefix,
                        listener,
                        callbacks,
                        config.watchQueueCapacity(),
                        () -> subscriptions.remove(self[0]));
        self[0] = s;
        subscriptions.add(s);
        try {
            s.attach(backend.watch(prefix, s));
        } catch (RuntimeException e) {
            s.close(); // leave nothing registered when the engine refused the watch
            throw e;
        }
        return s;
    }

    @Override
    public Optional<LockSnapshot> inspect(String name) {
        Names.validate(name);
        ensureOpen();
        return backend.inspect(name);
    }

    @Override
    public List<LockSnapshot> locks(String prefix) {
        Names.validatePrefix(prefix);
        ensureOpen();
        return backend.locks(prefix);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (CandidacyImpl c : List.copyOf(candidacies)) {
            c.close();
        }
        for (SubscriptionImpl s : List.copyOf(subscriptions)) {
            s.close();
        }
        leases.close();
        try {
            backend.close();
        } finally {
            timer.shutdownNow();
            deadlines.shutdownNow();
            workers.shutdown();
            try {
                workers.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            workers.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "Baton{" + clientId + " → " + uri + "}";
    }
}
