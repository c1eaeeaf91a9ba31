package dev.baton.redis;

import dev.baton.InvalidNameException;
import dev.baton.InvalidUriException;
import dev.baton.Names;
import dev.baton.spi.Backend;
import dev.baton.spi.BackendContext;
import dev.baton.spi.BackendProvider;
import dev.baton.spi.ConnectionUri;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims {@code redlock://} for {@link java.util.ServiceLoader} only to refuse it: a {@link
 * dev.baton.Baton} hands out fenced leases, and Redlock has no fencing tokens, so {@code
 * Baton.connect("redlock://…")} fails with a pointer to {@link Redlock#connect(String)}, which
 * opens the backend through {@link #opener()}. <b>Internal:</b> public only for {@code
 * ServiceLoader}.
 */
public final class RedlockBackendProvider implements BackendProvider {
    private static final Logger log = LoggerFactory.getLogger(RedlockBackendProvider.class);

    static final String NO_TOKENS =
            "redlock offers no fencing tokens; use dev.baton.redis.Redlock.connect(uri)";

    private final boolean open;

    public RedlockBackendProvider() {
        this(false);
    }

    private RedlockBackendProvider(boolean open) {
        this.open = open;
    }

    /** The provider {@link Redlock#connect} uses: it really opens the backend. */
    static BackendProvider opener() {
        return new RedlockBackendProvider(true);
    }

    @Override
    public Set<String> schemes() {
        return Set.of("redlock");
    }

    @Override
    public Backend<?> open(ConnectionUri uri, BackendContext context) {
        if (!open) {
            throw new InvalidUriException(uri.raw(), NO_TOKENS);
        }
        return RedlockBackend.connect(hosts(uri), namespace(uri, context), context);
    }

    /** Checks the URI's shape; throws {@link InvalidUriException} naming the rule. */
    static List<ConnectionUri.HostPort> hosts(ConnectionUri uri) {
        if (!uri.scheme().equals("redlock")) {
            throw new InvalidUriException(
                    uri.raw(), "Redlock.connect needs a redlock:// URI, not " + uri.scheme());
        }
        if (uri.hosts().size() < 2) {
            throw new InvalidUriException(
                    uri.raw(),
                    "redlock needs at least 2 host:port masters (an odd number of at least 3"
                            + " independent masters is recommended), but got "
                            + uri.hosts().size());
        }
        if (!uri.params().isEmpty()) {
            throw new InvalidUriException(
                    uri.raw(), "redlock takes no parameters, but got " + uri.params().keySet());
        }
        List<ConnectionUri.HostPort> hosts = new ArrayList<>();
        for (String h : uri.hosts()) {
            ConnectionUri.HostPort hp = uri.hostPort(h, RedisBackendProvider.DEFAULT_PORT);
            if (hosts.contains(hp)) {
                throw new InvalidUriException(
                        uri.raw(), "master " + hp + " is listed twice; masters must be distinct");
            }
            hosts.add(hp);
        }
        if (hosts.size() % 2 == 0) {
            log.warn(
                    "redlock over an even number ({}) of masters tolerates no more failures than"
                            + " {}; prefer an odd number",
                    hosts.size(),
                    hosts.size() - 1);
        }
        return hosts;
    }

    private static String namespace(ConnectionUri uri, BackendContext context) {
        if (uri.path().isEmpty()) {
            return context.namespace();
        }
        try {
            Names.validate(uri.path());
        } catch (InvalidNameException e) {
            throw new InvalidUriException(uri.raw(), "namespace " + e.getMessage());
        }
        return uri.path();
    }
}
