package dev.baton.testkit;

import dev.baton.Baton;
import dev.baton.BatonConfig;

/**
 * A {@link BackendFixture} for an engine server reached over TCP on loopback: plain clients connect
 * to the server itself, partitionable ones through a fault proxy each ({@link ProxiedClients}), so
 * a partition blackholes the client's traffic and its session silently stops being heard. A
 * backend's fixture supplies its server's scheme, URI and port, and its raw-entry reader; the four
 * client hooks live here once.
 */
public abstract class ServerFixture implements BackendFixture {
    private final ProxiedClients proxied = new ProxiedClients();
    private final String scheme;

    /**
     * @param scheme the backend's URI scheme, e.g. {@code redis}
     */
    protected ServerFixture(String scheme) {
        this.scheme = scheme;
    }

    /** The server's port on 127.0.0.1. */
    protected abstract int port();

    @Override
    public final Baton connect(BatonConfig config) {
        return Baton.connect(scheme + "://127.0.0.1:" + port(), config);
    }

    @Override
    public final Baton connectPartitionable(BatonConfig config) {
        return proxied.connect(scheme, port(), config);
    }

    @Override
    public final void partition(Baton client) {
        proxied.partition(client);
    }

    @Override
    public final void heal(Baton client) {
        proxied.heal(client);
    }

    /** Closes the proxies; a subclass stops its server after calling this. */
    @Override
    public void close() {
        proxied.close();
    }
}
