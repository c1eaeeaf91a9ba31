package dev.baton.testkit;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.faults.FaultProxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Clients that reach their engine through a {@link FaultProxy} each, so that a test can cut one off
 * ({@link #partition}: its traffic is blackholed, its session silently stops being heard) and
 * restore it ({@link #heal}). The usual way for a backend's {@link BackendFixture} to implement its
 * partition hooks. Proxies stay open until {@link #close()}: a client being closed after a test
 * still needs its path to the engine.
 */
final class ProxiedClients implements AutoCloseable {
    private final Map<Baton, FaultProxy> proxies = new ConcurrentHashMap<>();

    /** Connects {@code scheme://127.0.0.1:<proxy port>} to an engine listening on {@code port}. */
    public Baton connect(String scheme, int port, BatonConfig config) {
        FaultProxy proxy = FaultProxy.start("127.0.0.1", port);
        try {
            Baton baton = Baton.connect(scheme + "://" + proxy.address(), config);
            proxies.put(baton, proxy);
            return baton;
        } catch (RuntimeException | Error e) {
            proxy.close();
            throw e;
        }
    }

    public void partition(Baton client) {
        proxyOf(client).blackhole();
    }

    public void heal(Baton client) {
        proxyOf(client).pass();
    }

    private FaultProxy proxyOf(Baton client) {
        FaultProxy proxy = proxies.get(client);
        if (proxy == null) {
            throw new IllegalArgumentException(client + " was not connected through a proxy");
        }
        return proxy;
    }

    @Override
    public void close() {
        proxies.values().forEach(FaultProxy::close);
        proxies.clear();
    }
}
