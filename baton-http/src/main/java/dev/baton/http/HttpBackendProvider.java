package dev.baton.http;

import dev.baton.InvalidUriException;
import dev.baton.spi.Backend;
import dev.baton.spi.BackendContext;
import dev.baton.spi.BackendProvider;
import dev.baton.spi.ConnectionUri;
import java.net.http.HttpClient;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves {@code http://host[:port][/base]} and {@code https://…}: Baton through a Baton gateway
 * ({@code baton serve}, docs/GATEWAY.md), whose routes live under {@code /base/v1}.
 * <b>Internal:</b> public only for {@link java.util.ServiceLoader}.
 *
 * <p>The bearer token, for a gateway with access rules, is taken from the first of: the URI's
 * user-info ({@code http://TOKEN@host:port}), the query parameter {@code ?token=TOKEN}, the
 * environment variable {@code BATON_TOKEN}. No other parameter is accepted. The token is never
 * shown in messages: errors name the gateway as {@code scheme://host:port/base}.
 *
 * <p>A refused token (401) fails {@code Baton.connect} with {@link GatewayAccessException}; a
 * gateway that cannot be reached within {@code connectTimeout}, with {@link
 * dev.baton.BackendUnavailableException} naming it.
 */
public final class HttpBackendProvider implements BackendProvider {
    public HttpBackendProvider() {}

    @Override
    public Set<String> schemes() {
        return Set.of("http", "https");
    }

    @Override
    public Backend<?> open(ConnectionUri uri, BackendContext context) {
        if (uri.hosts().size() != 1) {
            throw new InvalidUriException(
                    redacted(uri),
                    "a gateway URI names one host, as scheme://host[:port][/path], but got "
                            + uri.hosts().size());
        }
        for (String p : uri.params().keySet()) {
            if (!p.equals("token")) {
                throw new InvalidUriException(
                        redacted(uri), "unknown parameter \"" + p + "\"; only token is accepted");
            }
        }
        String entry = uri.hosts().get(0);
        String token = null;
        int at = entry.lastIndexOf('@');
        if (at >= 0) {
            token = entry.substring(0, at);
            entry = entry.substring(at + 1);
        }
        if (token == null || token.isEmpty()) {
            token = uri.param("token").orElseGet(() -> System.getenv("BATON_TOKEN"));
        }
        if (token != null && token.isBlank()) {
            token = null;
        }
        ConnectionUri.HostPort hp = uri.hostPort(entry, uri.scheme().equals("https") ? 443 : 80);
        if (hp.host().isEmpty()) {
            throw new InvalidUriException(redacted(uri), "the host is empty");
        }
        String base =
                uri.scheme()
                        + "://"
                        + hp.host()
                        + ":"
                        + hp.port()
                        + (uri.path().isEmpty() ? "" : "/" + uri.path());
        String prefix = "baton-http-" + context.clientId() + "-";
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor =
                Executors.newCachedThreadPool(
                        r -> {
                            Thread t = new Thread(r, prefix + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
        HttpClient http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade: Jetty refuses it
                        .connectTimeout(context.config().connectTimeout())
                        .executor(executor)
                        .build();
        try {
            return new HttpBackend(new GatewayClient(http, base, token, base), context, executor);
        } catch (RuntimeException | Error e) {
            executor.shutdownNow();
            throw e;
        }
    }

    /** The URI without its token, for messages. */
    private static String redacted(ConnectionUri uri) {
        return uri.raw().replaceAll("//[^/@]*@", "//***@").replaceAll("token=[^&]*", "token=***");
    }
}
