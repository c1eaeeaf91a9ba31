package dev.baton.internal;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.InvalidUriException;
import dev.baton.Names;
import dev.baton.spi.Backend;
import dev.baton.spi.BackendProvider;
import dev.baton.spi.ConnectionUri;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/** Resolves a URI to a backend provider and opens a client. <b>Internal.</b> */
public final class Connector {
    private static final Map<String, String> MODULE_HINTS =
            Map.of(
                    "zookeeper", "baton-zookeeper",
                    "embedded", "baton-zookeeper",
                    "redis", "baton-redis",
                    "rediss", "baton-redis",
                    "redlock", "baton-redis");

    private Connector() {}

    public static Baton connect(String uri, BatonConfig config) {
        Objects.requireNonNull(config, "config");
        ConnectionUri parsed = ConnectionUri.parse(uri);
        Map<String, BackendProvider> providers = providers();
        BackendProvider provider = providers.get(parsed.scheme());
        if (provider == null) {
            String hint = MODULE_HINTS.get(parsed.scheme());
            throw new InvalidUriException(
                    uri,
                    hint != null
                            ? "scheme \""
                                    + parsed.scheme()
                                    + "\" needs the "
                                    + hint
                                    + " module on the classpath"
                            : "unknown scheme \""
                                    + parsed.scheme()
                                    + "\"; known schemes: "
                                    + String.join(", ", providers.keySet()));
        }
        return connect(uri, config, provider);
    }

    /**
     * Opens a client on {@code provider}, bypassing the {@link ServiceLoader} lookup: for entry
     * points outside {@link Baton#connect} (e.g. {@code dev.baton.redis.Redlock}, whose unfenced
     * scheme {@code Baton.connect} refuses), which then expose only what their mode can promise.
     */
    public static Baton connect(String uri, BatonConfig config, BackendProvider provider) {
        Objects.requireNonNull(config, "config");
        ConnectionUri parsed = ConnectionUri.parse(uri);
        String clientId =
                config.clientName()
                        + "#"
                        + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        String namespace = config.namespace().orElse(BatonConfig.DEFAULT_NAMESPACE);
        Names.validate(namespace);
        BatonImpl baton = new BatonImpl(uri, config, clientId, namespace);
        Backend backend;
        try {
            backend = provider.open(parsed, baton);
        } catch (RuntimeException | Error e) {
            baton.abandon();
            throw e;
        }
        baton.start(backend);
        return baton;
    }

    /** Providers on the classpath by scheme, sorted. */
    public static Map<String, BackendProvider> providers() {
        Map<String, BackendProvider> byScheme = new TreeMap<>();
        for (BackendProvider p :
                ServiceLoader.load(BackendProvider.class, Connector.class.getClassLoader())) {
            for (String s : p.schemes()) {
                byScheme.putIfAbsent(s, p);
            }
        }
        return byScheme;
    }
}
