package dev.baton.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.BackendUnavailableException;
import dev.baton.BatonException;
import dev.baton.InvalidArgumentException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The gateway's HTTP API as the backend's parts use it: requests with the bearer token and a
 * timeout, JSON bodies, and the one mapping from failures to Baton's exceptions (transport failure
 * or 503 → {@link BackendUnavailableException} naming the gateway; 401/403 → {@link
 * GatewayAccessException}; 400 → {@link InvalidArgumentException}).
 *
 * <p>Threads: asynchronous requests complete on the backend's own executor (the HttpClient's); the
 * parts only complete sinks and futures there, never user code.
 */
final class GatewayClient {
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String base; // scheme://host:port[/path], no trailing slash
    private final String token; // null: none
    private final String shown; // the URI as errors name it (no token)

    GatewayClient(HttpClient http, String base, String token, String shown) {
        this.http = http;
        this.base = base;
        this.token = token;
        this.shown = shown;
    }

    String shown() {
        return shown;
    }

    /** A request to {@code path} (from {@code /v1}) with the token and {@code timeout}. */
    HttpRequest.Builder request(String path, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    static HttpRequest.BodyPublisher json(JsonNode body) {
        return HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8);
    }

    /** Sends; completes with the response whatever its status, or with the transport failure. */
    CompletableFuture<HttpResponse<byte[]>> sendAsync(HttpRequest request) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Sends with any body handler (event streams). */
    <T> CompletableFuture<HttpResponse<T>> sendAsync(
            HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return http.sendAsync(request, handler);
    }

    /**
     * Sends and waits (only on threads that may block: callers' and Baton's workers), bounded by
     * the request's timeout.
     */
    HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return sendAsync(request)
                    .get(
                            request.timeout().orElse(Duration.ofSeconds(30)).toMillis() + 1000,
                            TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendUnavailableException(
                    "interrupted while waiting for the gateway " + shown, e);
        } catch (ExecutionException | TimeoutException e) {
            throw unreachable(e);
        }
    }

    /**
     * {@link #send}, but an interrupt does not abandon the request: for a step the engine may have
     * taken already (a monitor wait's first step, a time-up), whose answer the caller must have.
     * Waits, bounded by the request's timeout, and re-sets the interrupt flag before returning.
     */
    HttpResponse<byte[]> sendUninterruptibly(HttpRequest request) {
        CompletableFuture<HttpResponse<byte[]>> f = sendAsync(request);
        long deadline =
                System.nanoTime()
                        + request.timeout().orElse(Duration.ofSeconds(30)).plusSeconds(1).toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException | TimeoutException e) {
                    throw unreachable(e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A transport failure (or anything a future failed with) as Baton sees it. */
    BatonException unreachable(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof BatonException b) {
            return b;
        }
        String why =
                t instanceof IOException || t instanceof TimeoutException
                        ? t.getClass().getSimpleName()
                                + (t.getMessage() == null ? "" : ": " + t.getMessage())
                        : t.toString();
        return new BackendUnavailableException("gateway " + shown + " unreachable: " + why, t);
    }

    /** The exception for a response that is not a success the caller handles itself. */
    BatonException failure(HttpResponse<byte[]> r) {
        JsonNode body = body(r).orElse(null);
        String code = body == null ? "" : body.path("error").asText("");
        String message = body == null ? text(r) : body.path("message").asText(text(r));
        return failure(r.statusCode(), code + ": " + message);
    }

    /** The exception for {@code status}, with what the gateway said. */
    BatonException failure(int status, String what) {
        String said = "gateway " + shown + " answered " + status + " " + what;
        return switch (status) {
            case 401, 403 -> new GatewayAccessException(status, said);
            case 400 -> new InvalidArgumentException(said);
            case 502, 503, 504 -> new BackendUnavailableException(said);
            default -> new BatonException(said);
        };
    }

    static Optional<JsonNode> body(HttpResponse<byte[]> r) {
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("application/json")) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(JSON.readTree(r.body()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The JSON body of a success; a gateway that sends anything else is broken. */
    JsonNode json(HttpResponse<byte[]> r) {
        return body(r).orElseThrow(
                        () -> new BatonException("gateway " + shown + " sent no JSON: " + text(r)));
    }

    /** The {@code "error"} code of a failure, "" if none. */
    static String code(HttpResponse<byte[]> r) {
        return body(r).map(b -> b.path("error").asText("")).orElse("");
    }

    private static String text(HttpResponse<byte[]> r) {
        String s = new String(r.body(), StandardCharsets.UTF_8).strip();
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    Executor executor() {
        return http.executor().orElseThrow();
    }
}
