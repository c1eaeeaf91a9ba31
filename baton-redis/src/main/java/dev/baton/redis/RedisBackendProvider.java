package dev.baton.redis;

import dev.baton.InvalidNameException;
import dev.baton.InvalidUriException;
import dev.baton.Names;
import dev.baton.spi.Backend;
import dev.baton.spi.BackendContext;
import dev.baton.spi.BackendProvider;
import dev.baton.spi.ConnectionUri;
import java.util.Set;

/**
 * Serves {@code redis://host[:port][/namespace]} (port 6379 by default; the path, if any, is the
 * namespace). <b>Internal:</b> public only for {@link java.util.ServiceLoader}.
 */
public final class RedisBackendProvider implements BackendProvider {
    static final int DEFAULT_PORT = 6379;

    public RedisBackendProvider() {}

    @Override
    public Set<String> schemes() {
        return Set.of("redis");
    }

    @Override
    public Backend<?> open(ConnectionUri uri, BackendContext context) {
        if (uri.hosts().size() != 1) {
            throw new InvalidUriException(
                    uri.raw(),
                    "redis needs exactly one host:port, but got "
                            + uri.hosts().size()
                            + "; for several masters use redlock://");
        }
        if (!uri.params().isEmpty()) {
            throw new InvalidUriException(
                    uri.raw(), "redis takes no parameters, but got " + uri.params().keySet());
        }
        ConnectionUri.HostPort hp = uri.hostPort(uri.hosts().get(0), DEFAULT_PORT);
        String namespace = context.namespace();
        if (!uri.path().isEmpty()) {
            try {
                Names.validate(uri.path());
            } catch (InvalidNameException e) {
                throw new InvalidUriException(uri.raw(), "namespace " + e.getMessage());
            }
            namespace = uri.path();
        }
        return RedisBackend.connect(hp.host(), hp.port(), namespace, context);
    }
}
