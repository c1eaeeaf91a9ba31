package dev.baton.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.BackendUnavailableException;
import dev.baton.ClientClosedException;
import dev.baton.InvalidArgumentException;
import dev.baton.InvalidNameException;
import dev.baton.LockTimeoutException;
import dev.baton.MonitorLeaseException;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every failure as one JSON shape, {@code {"error": code, "message": one line}} (plus {@code
 * "lock"} on 409): the codes and statuses are the table in docs/GATEWAY.md. Anything unexpected is
 * a 500 that says only that, and is logged with its stack.
 */
final class Errors {
    private static final Logger log = LoggerFactory.getLogger(Errors.class);

    private Errors() {}

    static void respond(Context ctx, Throwable failure) {
        respond(ctx, failure, null);
    }

    /** With {@code locks} (null = {@link LockJson}'s form) to show the holders on a 409. */
    static void respond(Context ctx, Throwable failure, LockView locks) {
        Throwable t = unwrap(failure);
        ObjectNode body = LockJson.MAPPER.createObjectNode();
        int status;
        String code;
        if (t instanceof ApiException e) {
            status = e.status();
            code = e.code();
        } else if (t instanceof MonitorLeaseException) {
            status = 409;
            code = "not-holder";
        } else if (t instanceof InvalidNameException) {
            status = 400;
            code = "invalid-name";
        } else if (t instanceof InvalidArgumentException) {
            status = 400;
            code = "invalid-argument";
        } else if (t instanceof LockTimeoutException e) {
            status = 409;
            code = "busy";
            e.seen()
                    .ifPresent(
                            s ->
                                    body.set(
                                            "lock",
                                            locks == null
                                                    ? LockJson.of(s, Instant.now())
                                                    : locks.of(s, Instant.now())));
        } else if (t instanceof CancellationException) {
            status = 404;
            code = "session-ended";
        } else if (t instanceof BackendUnavailableException || t instanceof ClientClosedException) {
            status = 503;
            code = "engine-unavailable";
        } else {
            log.error("request {} {} failed", ctx.method(), ctx.path(), t);
            status = 500;
            code = "internal";
        }
        String message =
                t instanceof CancellationException
                        ? "the session ended while the request waited"
                        : status == 500
                                ? "internal error (see the gateway's log)"
                                : String.valueOf(t.getMessage()).lines().findFirst().orElse("");
        body.put("error", code).put("message", message);
        if (status == 401) {
            ctx.header("WWW-Authenticate", "Bearer");
        }
        ctx.status(status).contentType("application/json").result(body.toString());
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
