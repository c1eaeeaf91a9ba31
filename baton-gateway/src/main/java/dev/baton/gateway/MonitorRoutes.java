package dev.baton.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.Baton;
import dev.baton.LeaseKind;
import dev.baton.MonitorCondition;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code /v1/monitors}: condition waits and signals for leases of kind monitor (entered through
 * {@code POST /v1/locks/acquire} with {@code "kind": "monitor"}).
 *
 * <p>An await is the library's {@link MonitorCondition#beginAwait}: its atomic first step (give the
 * monitor up and join the wait queue) runs before the first answer, so a 202 means the waiter is
 * queued; then the route is a long poll on the wake-up, answering 202 "poll again" whenever the
 * wait outlives the request's {@code "wait"} (at most {@code maxWait}), and 200 with the new lease
 * once the waiter has re-entered. {@code POST /v1/monitors/timeup} ends the wait for a signal (the
 * client's timeout); {@code POST /v1/locks/withdraw} gives the wait up; ending the session does
 * too. {@code POST /v1/monitors/signal} wakes waiters, checked against the holder's lease in the
 * engine.
 *
 * <p>Threads: a waiting await holds no thread (its wake-up is a future). The library's blocking
 * calls — an await's first step, a time-up, a signal, each bounded by the client's connect timeout
 * — run on {@code baton-gateway-monitor} threads, never a request thread, at most {@code
 * maxMonitorWaits} at once; the waits carried at once are bounded by the same number. Beyond either
 * bound the request is refused with 429 {@code too-many-waits}, having changed nothing.
 *
 * <p>Invariants: a {@link Wait} is in {@link #waits} from its first step until its outcome was
 * answered (or failed); {@link #carrying} counts the waits whose outcome is not settled yet, and is
 * decremented exactly once per wait, by {@link #settle}. The wake-up's lease is put into the
 * session before any poll can see the outcome, so the client never names a lease the gateway does
 * not carry.
 */
final class MonitorRoutes implements AutoCloseable {
    private static final Set<String> AWAIT_FIELDS =
            Set.of("session", "lease", "condition", "request", "wait");
    private static final Set<String> POLL_FIELDS = Set.of("session", "request", "wait");
    private static final Set<String> SIGNAL_FIELDS = Set.of("lease", "condition", "all");

    private final Baton baton;
    private final Sessions sessions;
    private final Duration maxWait;
    private final Consumer<String> carried;
    private final int maxWaits;
    private final AtomicInteger carrying = new AtomicInteger();
    private final ConcurrentMap<Key, Wait> waits = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor calls;

    /** One monitor wait the gateway carries for a session, by the client's request name. */
    private record Key(String session, String request) {}

    private record Wait(
            Session session,
            String request,
            MonitorCondition.Waiting waiting,
            CompletableFuture<Outcome> outcome) {}

    /** A wake-up, its lease carried by the session. */
    private record Outcome(Session.Held held, boolean signalled) {}

    /**
     * @param carried told the name of each wake-up a session took in (the watch hub's {@link
     *     WatchHub#carried})
     */
    MonitorRoutes(
            Baton baton,
            Sessions sessions,
            Duration maxWait,
            int maxWaits,
            Consumer<String> carried) {
        this.baton = baton;
        this.sessions = sessions;
        this.maxWait = maxWait;
        this.maxWaits = maxWaits;
        this.carried = carried;
        // No queue: a call either gets a thread now or is refused (429), so no request waits
        // behind a stalled engine for longer than its own call.
        this.calls =
                new ThreadPoolExecutor(
                        0,
                        maxWaits,
                        30,
                        TimeUnit.SECONDS,
                        new SynchronousQueue<>(),
                        r -> {
                            Thread t = new Thread(r, "baton-gateway-monitor");
                            t.setDaemon(true);
                            return t;
                        });
    }

    void register(RoutesConfig routes) {
        routes.post("/v1/monitors/await", this::await);
        routes.post("/v1/monitors/timeup", this::timeUp);
        routes.post("/v1/monitors/signal", this::signal);
    }

    /** Starts a wait (with {@code "lease"}) or polls one (without). */
    private void await(Context ctx) {
        Body probe = Body.parse(ctx.body(), AWAIT_FIELDS);
        if (probe.string("lease").isEmpty()) {
            Body b = Body.parse(ctx.body(), POLL_FIELDS);
            Session session = sessions.find(b.requiredString("session"), Routes.caller(ctx));
            String request = b.requiredString("request");
            Duration wait = b.duration("wait", Duration.ZERO, maxWait).orElse(Duration.ZERO);
            Wait w = find(session, request);
            ctx.future(() -> answer(ctx, w, wait));
            return;
        }
        Body b = probe;
        Caller caller = Routes.caller(ctx);
        Session session = sessions.find(b.requiredString("session"), caller);
        Session.Held held = sessions.lease(b.requiredString("lease"), caller);
        if (held.session() != session) {
            throw new ApiException(
                    404,
                    "not-found",
                    "no lease \"" + held.id() + "\" in session \"" + session.id + "\"");
        }
        // No permission check of its own: the caller owns the session that holds the lease, and
        // taking the lease needed ACQUIRE on its name (access rules are fixed at startup).
        String name = held.lease().name();
        MonitorCondition condition =
                baton.monitor(name).condition(b.requiredString("condition")); // 400 if bad
        String request = b.requiredString("request");
        Duration wait = b.duration("wait", Duration.ZERO, maxWait).orElse(Duration.ZERO);
        if (held.lease().kind() != LeaseKind.MONITOR) {
            throw new ApiException(
                    409,
                    "not-holder",
                    "lease \""
                            + held.id()
                            + "\" is a "
                            + held.lease().kind()
                            + " lease of \""
                            + name
                            + "\", not a monitor's: it cannot wait on condition \""
                            + condition.name()
                            + "\"");
        }
        if (carrying.incrementAndGet() > maxWaits) {
            carrying.decrementAndGet();
            throw tooMany("monitor waits are carried at once");
        }
        boolean claimed = false;
        try {
            if (!session.claim(request)) {
                throw new ApiException(
                        404, "withdrawn", "request \"" + request + "\" was withdrawn");
            }
            claimed = true;
            CompletableFuture<Wait> started =
                    blocking(() -> begin(session, held, condition, request));
            ctx.future(
                    () ->
                            started.handle(
                                            (w, failure) -> {
                                                if (failure != null) {
                                                    Errors.respond(ctx, failure);
                                                    return CompletableFuture.<Void>completedFuture(
                                                            null);
                                                }
                                                return answer(ctx, w, wait);
                                            })
                                    .thenCompose(answered -> answered));
        } catch (RuntimeException e) {
            carrying.decrementAndGet();
            if (claimed) {
                session.requestFailed(request, null);
            }
            throw e;
        }
    }

    /**
     * On a monitor thread: the atomic first step, then the wait registered with the session (so
     * that a withdrawal or the session's end cancels its wake-up, which withdraws the waiter).
     */
    private Wait begin(
            Session session, Session.Held held, MonitorCondition condition, String request) {
        MonitorCondition.Waiting waiting;
        try {
            waiting = condition.beginAwait(held.lease());
        } catch (RuntimeException e) {
            carrying.decrementAndGet();
            session.requestFailed(request, null);
            throw e;
        }
        sessions.handedOver(held);
        Wait w = new Wait(session, request, waiting, new CompletableFuture<>());
        waits.put(new Key(session.id, request), w);
        CompletableFuture<MonitorCondition.Wakeup> wakeup = waiting.wakeup();
        wakeup.whenComplete((up, failure) -> settle(w, up, failure));
        if (!session.request(request, wakeup) || !session.waiting(wakeup)) {
            wakeup.cancel(false); // withdrawn, or the session ended, meanwhile
        }
        return w;
    }

    /** Once per wait, on whichever thread completed its wake-up (never a request thread's work). */
    private void settle(Wait w, MonitorCondition.Wakeup up, Throwable failure) {
        try {
            CompletableFuture<MonitorCondition.Wakeup> f = w.waiting().wakeup();
            w.session().doneWaiting(f);
            if (failure != null) {
                w.session().requestFailed(w.request(), f);
                w.outcome().completeExceptionally(failure);
                return;
            }
            try {
                Session.Held held = sessions.carry(w.session(), up.lease());
                if (!w.session().requestGranted(w.request(), held)) {
                    sessions.release(held); // withdrawn as it was woken
                    throw new ApiException(
                            404, "withdrawn", "request \"" + w.request() + "\" was withdrawn");
                }
                w.outcome().complete(new Outcome(held, up.signalled()));
                carried.accept(held.lease().name());
            } catch (RuntimeException e) {
                w.outcome().completeExceptionally(e);
            }
        } finally {
            carrying.decrementAndGet();
        }
    }

    /** 200 with the new lease once woken, 202 while it still waits after {@code wait}. */
    private CompletableFuture<Void> answer(Context ctx, Wait w, Duration wait) {
        CompletableFuture<Object> timer =
                new CompletableFuture<>()
                        .completeOnTimeout(Boolean.TRUE, wait.toNanos(), TimeUnit.NANOSECONDS);
        CompletableFuture<Object> first = CompletableFuture.anyOf(w.outcome(), timer);
        return first.handle(
                (v, failure) -> {
                    if (failure == null && !(v instanceof Outcome)) {
                        ctx.status(202);
                        Routes.json(
                                ctx,
                                LockJson.MAPPER
                                        .createObjectNode()
                                        .put("session", w.session().id)
                                        .put("request", w.request())
                                        .put("waiting", true));
                        return null;
                    }
                    waits.remove(new Key(w.session().id, w.request()), w);
                    if (failure != null) {
                        Errors.respond(ctx, failure);
                    } else {
                        Outcome o = (Outcome) v;
                        ObjectNode body =
                                LockRoutes.grant(sessions, o.held())
                                        .put("signalled", o.signalled());
                        Routes.json(ctx, body);
                    }
                    return null;
                });
    }

    /** The time-up: the client's wait for a signal is over. */
    private void timeUp(Context ctx) {
        Body b = Body.parse(ctx.body(), Set.of("session", "request"));
        Session session = sessions.find(b.requiredString("session"), Routes.caller(ctx));
        Wait w = find(session, b.requiredString("request"));
        CompletableFuture<Boolean> moved = blocking(() -> w.waiting().timeUp());
        answerWhenDone(
                ctx,
                moved,
                m ->
                        LockJson.MAPPER
                                .createObjectNode()
                                .put("session", session.id)
                                .put("request", w.request())
                                .put("moved", m));
    }

    private void signal(Context ctx) {
        Body b = Body.parse(ctx.body(), SIGNAL_FIELDS);
        Caller caller = Routes.caller(ctx);
        Session.Held held = sessions.lease(b.requiredString("lease"), caller); // as await: owned
        String name = held.lease().name();
        MonitorCondition condition = baton.monitor(name).condition(b.requiredString("condition"));
        boolean all = b.bool("all").orElse(false);
        CompletableFuture<Integer> woken =
                blocking(
                        () ->
                                all
                                        ? condition.signalAll(held.lease())
                                        : condition.signal(held.lease()) ? 1 : 0);
        answerWhenDone(
                ctx,
                woken,
                n ->
                        LockJson.MAPPER
                                .createObjectNode()
                                .put("lease", held.id())
                                .put("name", name)
                                .put("condition", condition.name())
                                .put("woken", n));
    }

    /**
     * Answers with {@code body} of the call's result once the call is done, or with the JSON error
     * of its failure; the request thread is free meanwhile. Runs on the monitor thread that ends
     * the call.
     */
    private static <T> void answerWhenDone(
            Context ctx, CompletableFuture<T> call, Function<T, ObjectNode> body) {
        ctx.future(
                () ->
                        call.handle(
                                (result, failure) -> {
                                    if (failure != null) {
                                        Errors.respond(ctx, failure);
                                    } else {
                                        Routes.json(ctx, body.apply(result));
                                    }
                                    return null;
                                }));
    }

    private Wait find(Session session, String request) {
        Wait w = waits.get(new Key(session.id, request));
        if (w == null) {
            throw new ApiException(
                    404,
                    "not-found",
                    "no monitor wait \"" + request + "\" in session \"" + session.id + "\"");
        }
        return w;
    }

    /** Runs a blocking library call on a monitor thread, or refuses at once (429). */
    private <T> CompletableFuture<T> blocking(Supplier<T> call) {
        try {
            return CompletableFuture.supplyAsync(call, calls);
        } catch (RejectedExecutionException e) {
            throw tooMany("blocking monitor calls run at once");
        }
    }

    private ApiException tooMany(String what) {
        return new ApiException(
                429,
                "too-many-waits",
                "the gateway's limit is reached: at most "
                        + maxWaits
                        + " "
                        + what
                        + " (maxMonitorWaits); try again later");
    }

    /** Stops the monitor threads; the waits themselves end with their sessions. */
    @Override
    public void close() {
        calls.shutdownNow();
    }
}
