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
    /**
     * The module that serves each of Baton's own schemes, named when its module is missing: the
     * user then knows which dependency to add, not only that something is missing. {@code mem} is
     * in this module; it goes missing only from a repackaged jar that dropped the ServiceLoader
     * registrations.
     */
    private static final Map<String, String> MODULE_OF_SCHEME =
            Map.of(
                    "zookeeper", "baton-zookeeper",
                    "embedded", "baton-zookeeper",
                    "redis", "baton-redis",
                    "redlock", "baton-redis",
                    "http", "baton-http",
                    "https", "baton-http",
                    "mem", "baton-core");

    private Connector() {}

    public static Baton connect(String uri, BatonConfig config) {
        Objects.requireNonNull(config, "config");
        ConnectionUri parsed = ConnectionUri.parse(uri);
        Map<String, BackendProvider> providers = providers();
        BackendProvider provider = providers.get(parsed.scheme());
        if (provider == null) {
            String module = MODULE_OF_SCHEME.get(parsed.scheme());
            throw new InvalidUriException(
                    uri,
                    module != null
                            ? "scheme \""
                                    + parsed.scheme()
                                    + "\" needs the "
                                    + module
                                    + " module on the classpath: add the dependency dev.baton:"
                                    + module
                                    + " (at baton-core's version; the dev.baton:baton-bom"
                                    + " aligns them)"
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
        Backend<?> backend;
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
