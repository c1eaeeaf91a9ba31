package dev.baton.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.gateway.Gateway;
import dev.baton.gateway.GatewayConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code baton-gateway}: Baton's mutex through {@code baton serve}'s HTTP gateway, as a program in
 * another language uses it: each client instance is an HTTP client with its own session (kept alive
 * in the background), acquiring with {@code POST /v1/locks/acquire} (a long poll for the wait) and
 * releasing with {@code POST /v1/locks/release}. One gateway in this JVM, over one Baton client of
 * the engine, serves them all, as one {@code baton serve} would. Its ratio to {@code baton} on the
 * same engine is the price of HTTP.
 */
public final class GatewaySystem implements LockSystem {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SESSION_TTL = Duration.ofSeconds(30);

    private final String uri;
    private final String backend;
    private Baton baton; // guarded by this; started with the first client
    private Gateway gateway;

    /**
     * @param uri the engine, as {@link Baton#connect(String, BatonConfig)} accepts it
     * @param backend the {@code backend} column
     */
    public GatewaySystem(String uri, String backend) {
        this.uri = uri;
        this.backend = backend;
    }

    @Override
    public String name() {
        return "baton-gateway";
    }

    @Override
    public String backend() {
        return backend;
    }

    /** The namespace of the gateway's Baton client, apart from the `baton` system's default. */
    static final String NAMESPACE = "bench-gateway";

    private synchronized String gatewayUri() {
        if (gateway == null) {
            // Its own namespace: the gateway watches every lock of its namespace (for its
            // dashboard), and a watched namespace makes every lock script publish events, which
            // would tax the `baton` system's cycles on the same server.
            baton = Baton.connect(uri, BatonConfig.custom().namespace(NAMESPACE).build());
            gateway =
                    Gateway.start(
                            GatewayConfig.builder(baton)
                                    .port(0)
                                    .maxWait(Duration.ofMinutes(10))
                                    .build());
        }
        return gateway.uri();
    }

    @Override
    public Client client() throws Exception {
        return new HttpLockClient(gatewayUri());
    }

    @Override
    public synchronized void close() {
        if (gateway != null) {
            try (Baton b = baton) {
                gateway.close();
            }
            gateway = null;
        }
    }

    /** One HTTP client instance: a session, kept alive every third of its TTL. */
    private static final class HttpLockClient implements Client {
        private final String base;
        private final HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private final String session;
        private final ScheduledExecutorService keepAlive =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "bench-gateway-keepalive");
                            t.setDaemon(true);
                            return t;
                        });

        HttpLockClient(String base) throws IOException, InterruptedException {
            this.base = base;
            this.session =
                    post("/v1/sessions", "{\"ttl\":\"" + SESSION_TTL.toSeconds() + "s\"}", 201)
                            .get("id")
                            .asText();
            long every = SESSION_TTL.toMillis() / 3;
            keepAlive.scheduleWithFixedDelay(
                    () -> {
                        try {
                            post("/v1/sessions/" + session + "/keepalive", "", 200);
                        } catch (Exception e) {
                            // the next acquire reports the ended session
                        }
                    },
                    every,
                    every,
                    TimeUnit.MILLISECONDS);
        }

        @Override
        public Held acquire(String key, Duration timeout) throws Exception {
            HttpResponse<String> r =
                    send(
                            "/v1/locks/acquire",
                            "{\"name\":\""
                                    + key
                                    + "\",\"session\":\""
                                    + session
                                    + "\",\"wait\":\""
                                    + timeout.toMillis()
                                    + "ms\"}");
            if (r.statusCode() == 409) {
                return null;
            }
            String lease = check(r, 200).get("lease").asText();
            return () -> post("/v1/locks/release", "{\"lease\":\"" + lease + "\"}", 200);
        }

        @Override
        public void close() throws Exception {
            keepAlive.shutdownNow();
            http.send(
                    HttpRequest.newBuilder(URI.create(base + "/v1/sessions/" + session))
                            .DELETE()
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
        }

        private JsonNode post(String path, String body, int status)
                throws IOException, InterruptedException {
            return check(send(path, body), status);
        }

        private HttpResponse<String> send(String path, String body)
                throws IOException, InterruptedException {
            return http.send(
                    HttpRequest.newBuilder(URI.create(base + path))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        private static JsonNode check(HttpResponse<String> r, int status) throws IOException {
            if (r.statusCode() != status) {
                throw new IOException(
                        r.request().method()
                                + " "
                                + r.uri().getPath()
                                + ": "
                                + r.statusCode()
                                + " "
                                + r.body());
            }
            return JSON.readTree(r.body());
        }
    }
}
