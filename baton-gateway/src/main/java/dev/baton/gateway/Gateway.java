package dev.baton.gateway;

import dev.baton.Baton;
import dev.baton.Names;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Baton over HTTP/JSON ({@code baton serve}): sessions that carry leases, locks with fencing
 * tokens, versioned key/value with ETags, watches and lease-loss notices as server-sent events. The
 * routes and their status codes are in docs/GATEWAY.md.
 *
 * <p>One gateway serves one Baton client, which holds every lease it grants in the engine; HTTP
 * clients see them through sessions ({@link Sessions} says how a client that stops keeping alive is
 * told before anyone else can be granted its names). On Javalin (Jetty 12): a maintained server
 * with server-sent events and asynchronous responses, so a waiting acquire holds no thread.
 *
 * <p>{@link #close()} stops accepting requests, ends every session (releasing its leases, so the
 * names are free at once rather than after a TTL) and closes the watch streams; it leaves the Baton
 * client open for its owner to close.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final Sessions sessions;
    private final WatchHub watches;
    private final MonitorRoutes monitors;
    private final Javalin app;
    // writes event streams (one drain task per busy stream) and releases expired sessions' leases
    private final ExecutorService writers;

    private Gateway(GatewayConfig config) {
        this.config = config;
        Baton baton = config.baton();
        this.writers =
                Executors.newCachedThreadPool(
                        r -> {
                            Thread t = new Thread(r, "baton-gateway-writer");
                            t.setDaemon(true);
                            return t;
                        });
        this.sessions = new Sessions(config.ticker(), writers);
        LockView locks = new LockView(baton.clientId(), sessions);
        this.watches = new WatchHub(baton, config.eventHistory(), locks::of);
        SessionRoutes sessionRoutes = new SessionRoutes(sessions, this::stream);
        LockRoutes lockRoutes =
                new LockRoutes(baton, sessions, config.maxWait(), locks, watches::carried);
        this.monitors =
                new MonitorRoutes(
                        baton,
                        sessions,
                        config.maxWait(),
                        config.maxMonitorWaits(),
                        watches::carried);
        KvRoutes kvRoutes = new KvRoutes(baton.keyValue());
        Optional<AccessRules> auth = config.auth();
        this.app =
                Javalin.create(
                        c -> {
                            c.startup.showJavalinBanner = false;
                            c.startup.showOldJavalinVersionWarning = false;
                            c.http.maxRequestSize = 1 << 20;
                            c.jetty.host = config.bind();
                            c.jetty.port = config.port();
                            c.staticFiles.add(
                                    s -> {
                                        s.hostedPath = "/";
                                        s.directory = "/dev/baton/gateway/dashboard";
                                        s.location = Location.CLASSPATH;
                                    });
                            c.routes.before("/v1/*", ctx -> authenticate(ctx, auth));
                            c.routes.get("/v1/openapi.json", Gateway::openApi);
                            sessionRoutes.register(c.routes);
                            lockRoutes.register(c.routes);
                            monitors.register(c.routes);
                            kvRoutes.register(c.routes);
                            c.routes.get("/v1/watch", this::watch);
                            c.routes.exception(
                                    Exception.class, (e, ctx) -> Errors.respond(ctx, e, locks));
                            // Jetty refuses a body over the limit before any route runs.
                            c.routes.error(
                                    413,
                                    ctx ->
                                            Errors.respond(
                                                    ctx,
                                                    new ApiException(
                                                            413,
                                                            "too-large",
                                                            "the body is over 1 MiB")));
                            // Javalin answers an unknown path with its own text; ours are JSON
                            // already (a 404 from a route names what it did not find).
                            c.routes.error(
                                    404,
                                    ctx -> {
                                        String type = ctx.res().getContentType();
                                        if (type == null || !type.startsWith("application/json")) {
                                            Errors.respond(
                                                    ctx,
                                                    new ApiException(
                                                            404,
                                                            "no-route",
                                                            "no route "
                                                                    + ctx.method()
                                                                    + " "
                                                                    + ctx.path()));
                                        }
                                    });
                        });
    }

    /**
     * Starts listening.
     *
     * @throws dev.baton.BatonException if the port cannot be bound
     */
    public static Gateway start(GatewayConfig config) {
        Gateway g = new Gateway(config);
        try {
            g.app.start();
        } catch (RuntimeException e) {
            g.watches.close();
            g.sessions.close();
            g.monitors.close();
            g.writers.shutdown();
            throw new dev.baton.BatonException(
                    "cannot listen on "
                            + config.bind()
                            + ":"
                            + config.port()
                            + ": "
                            + e.getMessage(),
                    e);
        }
        log.info(
                "baton gateway on http://{}:{}{}",
                config.bind(),
                g.port(),
                config.auth().isPresent() ? " (bearer tokens required)" : " (loopback, no tokens)");
        return g;
    }

    /** The port it listens on. */
    public int port() {
        return app.port();
    }

    /** {@code http://bind:port}. */
    public String uri() {
        return "http://" + config.bind() + ":" + port();
    }

    /** Checked before the stream opens, so a bad prefix or a 403 is a plain JSON error. */
    private void watch(Context ctx) throws Exception {
        String prefix =
                Names.validatePrefix(Optional.ofNullable(ctx.queryParam("prefix")).orElse(""));
        Routes.caller(ctx).require(Permission.WATCH, prefix);
        String lastEventId = ctx.header("Last-Event-ID");
        new SseHandler(
                        client -> {
                            EventSink sink = stream(client);
                            client.onClose(() -> watches.detach(sink));
                            client.keepAlive();
                            watches.attach(prefix, lastEventId, sink);
                        })
                .handle(ctx);
    }

    /**
     * An event stream written off the caller's thread; its queue holds the whole history, so a
     * resuming client's replay fits.
     */
    private EventSink stream(SseClient client) {
        return new QueuedSink(new SseSink(client), writers, config.eventHistory() + 1024);
    }

    /** The OpenAPI 3.1 description of every route (public, like the dashboard's files). */
    private static void openApi(Context ctx) throws IOException {
        try (InputStream in = Gateway.class.getResourceAsStream("openapi.json")) {
            ctx.contentType("application/json").result(in.readAllBytes());
        }
    }

    /** The server, for tests that compare its routes with the OpenAPI document. */
    Javalin app() {
        return app;
    }

    private static void authenticate(Context ctx, Optional<AccessRules> auth) {
        if (auth.isEmpty() || ctx.path().equals("/v1/openapi.json")) {
            return;
        }
        String header = ctx.header("Authorization");
        String token =
                header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                        ? header.substring(7).trim()
                        : null;
        if (token == null || token.isEmpty()) {
            throw new ApiException(
                    401,
                    "unauthorized",
                    "send Authorization: Bearer <token> (this gateway has access rules)");
        }
        AccessRules.Grantee g =
                auth.get()
                        .authenticate(token)
                        .orElseThrow(
                                () ->
                                        new ApiException(
                                                401, "unauthorized", "unknown bearer token"));
        ctx.attribute(Routes.CALLER, new Caller(g));
    }

    @Override
    public void close() {
        // Streams first: Jetty's stop waits for open requests, and an open event stream is one.
        // Ending the sessions also releases their leases while the engine is surely reachable.
        sessions.close();
        watches.close();
        app.stop();
        sessions.close(); // a session created while the server stopped
        monitors.close();
        writers.shutdown();
        try {
            if (!writers.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("event streams still writing after 5 s; left to their threads");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
