package dev.baton.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A real HTTP client for the gateway's tests (the JDK's), with the bearer token if any. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();

    final String base;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String token;

    Http(String base, String token) {
        this.base = base;
        this.token = token;
    }

    Http(String base) {
        this(base, null);
    }

    Http as(String token) {
        return new Http(base, token);
    }

    record Response(int status, HttpResponse<byte[]> raw) {
        String text() {
            return new String(raw.body(), StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return JSON.readTree(raw.body());
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + text(), e);
            }
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + text();
        }
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    Response send(HttpRequest.Builder b) {
        try {
            HttpResponse<byte[]> r =
                    client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    CompletableFuture<Response> sendAsync(HttpRequest.Builder b) {
        return client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(r -> new Response(r.statusCode(), r));
    }

    Response get(String path) {
        return send(request(path).GET());
    }

    Response post(String path, String json) {
        return send(post0(path, json));
    }

    CompletableFuture<Response> postAsync(String path, String json) {
        return sendAsync(post0(path, json));
    }

    private HttpRequest.Builder post0(String path, String json) {
        return request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    Response delete(String path) {
        return send(request(path).DELETE());
    }

    /** A new session's id (TTL {@code ttl}). */
    String session(String ttl) {
        Response r = post("/v1/sessions", "{\"ttl\":\"" + ttl + "\"}");
        if (r.status() != 201) {
            throw new AssertionError("session: " + r);
        }
        return r.json().get("id").asText();
    }

    Response acquire(String session, String name, String wait) {
        return post(
                "/v1/locks/acquire",
                "{\"name\":\""
                        + name
                        + "\",\"session\":\""
                        + session
                        + "\",\"wait\":\""
                        + wait
                        + "\"}");
    }

    EventStream events(String path, String lastEventId) {
        return EventStream.open(this, path, lastEventId);
    }
}
