package dev.baton.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.LockSnapshot;
import dev.baton.Names;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * {@code /v1/locks}: acquire into a session (a long poll up to {@code "wait"}), release, list.
 *
 * <p>A waiting acquire holds no request thread: it is the library's {@code acquireAsync}, whose
 * completion writes the response. The session tracks it, so ending the session withdraws it; a
 * grant that arrives as the session ends is released at once (see {@link Sessions#carry}).
 */
final class LockRoutes {
    private static final Set<String> ACQUIRE_FIELDS =
            Set.of("name", "session", "wait", "kind", "permits", "size", "request");

    private final Baton baton;
    private final Sessions sessions;
    private final Duration maxWait;
    private final LockView view;
    private final Consumer<String> carried;

    /**
     * @param carried told the name of each grant a session took in (the watch hub's {@link
     *     WatchHub#carried})
     */
    LockRoutes(
            Baton baton,
            Sessions sessions,
            Duration maxWait,
            LockView view,
            Consumer<String> carried) {
        this.baton = baton;
        this.sessions = sessions;
        this.maxWait = maxWait;
        this.view = view;
        this.carried = carried;
    }

    void register(RoutesConfig routes) {
        routes.post("/v1/locks/acquire", this::acquire);
        routes.post("/v1/locks/release", this::release);
        routes.post("/v1/locks/withdraw", this::withdraw);
        routes.get("/v1/locks", this::list);
    }

    private void acquire(Context ctx) {
        Body b = Body.parse(ctx.body(), ACQUIRE_FIELDS);
        String name = Names.validate(b.requiredString("name"));
        Caller caller = Routes.caller(ctx);
        caller.require(Permission.ACQUIRE, name);
        String kind = b.string("kind").orElse("mutex");
        Duration wait = b.duration("wait", Duration.ZERO, maxWait).orElse(Duration.ZERO);
        if (!kind.equals("semaphore")
                && (b.positiveInt("permits").isPresent() || b.positiveInt("size").isPresent())) {
            throw ApiException.badRequest(
                    "invalid-body",
                    "\"permits\" and \"size\" are for \"kind\": \"semaphore\" only");
        }
        Session session = sessions.find(b.requiredString("session"), caller);
        String request = b.string("request").orElse(null);
        if (kind.equals("leadership") && wait.isZero()) {
            throw ApiException.badRequest(
                    "invalid-body", "\"kind\": \"leadership\" needs a \"wait\" above zero");
        }
        if (request != null && !session.claim(request)) {
            throw new ApiException(404, "withdrawn", "request \"" + request + "\" was withdrawn");
        }
        CompletableFuture<FencedLease> f =
                switch (kind) {
                    case "mutex" -> baton.mutex(name).acquireAsync(wait);
                    case "read" -> baton.readWriteLock(name).readLock().acquireAsync(wait);
                    case "write" -> baton.readWriteLock(name).writeLock().acquireAsync(wait);
                    case "leadership" -> Leadership.acquire(baton, name, wait);
                    case "monitor" -> baton.monitor(name).enterAsync(wait);
                    case "semaphore" -> {
                        int size =
                                b.positiveInt("size")
                                        .orElseThrow(
                                                () ->
                                                        ApiException.badRequest(
                                                                "invalid-body",
                                                                "\"size\" (the semaphore's permits"
                                                                        + " in all) is required"
                                                                        + " for a semaphore"));
                        int permits = b.positiveInt("permits").orElse(1);
                        yield baton.semaphore(name, size).acquireAsync(permits, wait);
                    }
                    default ->
                            throw ApiException.badRequest(
                                    "invalid-body",
                                    "\"kind\" \""
                                            + kind
                                            + "\" must be mutex, read, write, semaphore,"
                                            + " leadership or monitor");
                };
        boolean withdrawn;
        try {
            withdrawn = request != null && !session.request(request, f);
        } catch (RuntimeException e) {
            f.cancel(false);
            throw e;
        }
        if (withdrawn || !session.waiting(f)) {
            // withdrawn or the session ended first; a grant that won the race is released below
            f.cancel(false);
        }
        ctx.future(
                () ->
                        f.handle(
                                (lease, failure) -> {
                                    session.doneWaiting(f);
                                    if (failure != null) {
                                        if (request != null) {
                                            session.requestFailed(request, f);
                                        }
                                        Errors.respond(ctx, failure, view);
                                        return null;
                                    }
                                    try {
                                        Session.Held held = sessions.carry(session, lease);
                                        if (request != null
                                                && !session.requestGranted(request, held)) {
                                            sessions.release(held); // withdrawn as it was granted
                                            throw new ApiException(
                                                    404,
                                                    "withdrawn",
                                                    "request \"" + request + "\" was withdrawn");
                                        }
                                        granted(ctx, held);
                                        carried.accept(held.lease().name());
                                    } catch (RuntimeException e) {
                                        Errors.respond(ctx, e);
                                    }
                                    return null;
                                }));
    }

    private void granted(Context ctx, Session.Held held) {
        Routes.json(ctx, grant(sessions, held));
    }

    /** A grant as acquire answers it (and a monitor wait's wake-up, which adds "signalled"). */
    static ObjectNode grant(Sessions sessions, Session.Held held) {
        FencedLease lease = held.lease();
        Duration left = sessions.remaining(held.session());
        return LockJson.MAPPER
                .createObjectNode()
                .put("name", lease.name())
                .put("kind", lease.kind().name())
                .put("permits", lease.permits())
                .put("token", lease.fencingToken())
                .put("lease", held.id())
                .put("session", held.session().id)
                .put("remainingMs", left.toMillis())
                .put("deadline", Instant.now().plus(left).toString());
    }

    private void release(Context ctx) {
        Body b = Body.parse(ctx.body(), Set.of("lease"));
        Session.Held held = sessions.lease(b.requiredString("lease"), Routes.caller(ctx));
        if (!sessions.release(held)) {
            throw ApiException.notFound("lease", held.id());
        }
        Routes.json(
                ctx,
                LockJson.MAPPER
                        .createObjectNode()
                        .put("lease", held.id())
                        .put("name", held.lease().name())
                        .put("released", true));
    }

    /**
     * Withdraws the session's acquire named {@code request}: a waiting one is cancelled (the
     * library removes its entry from the engine), a granted one is released, and one not seen yet
     * is refused when it arrives. Idempotent: {@code "withdrawn"} says whether anything was there.
     */
    private void withdraw(Context ctx) {
        Body b = Body.parse(ctx.body(), Set.of("session", "request"));
        Session session = sessions.find(b.requiredString("session"), Routes.caller(ctx));
        String request = b.requiredString("request");
        Object found = session.withdraw(request);
        if (found instanceof CompletableFuture<?> f) {
            f.cancel(false);
        } else if (found instanceof Session.Held held) {
            sessions.release(held);
        }
        Routes.json(
                ctx,
                LockJson.MAPPER
                        .createObjectNode()
                        .put("session", session.id)
                        .put("request", request)
                        .put("withdrawn", found != null));
    }

    private void list(Context ctx) {
        String prefix =
                Names.validatePrefix(
                        ctx.queryParamAsClass("prefix", String.class).getOrDefault(""));
        Routes.caller(ctx).require(Permission.READ, prefix);
        Instant now = Instant.now();
        ArrayNode out = LockJson.MAPPER.createArrayNode();
        for (LockSnapshot s : baton.locks(prefix)) {
            out.add(view.of(s, now));
        }
        Routes.json(ctx, out);
    }
}
