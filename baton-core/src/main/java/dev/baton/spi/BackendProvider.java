package dev.baton.spi;

import java.util.Set;

/**
 * Opens {@link Backend}s for some URI schemes. Registered in {@code
 * META-INF/services/dev.baton.spi.BackendProvider}. <b>Internal.</b>
 */
public interface BackendProvider {

    /** Lower-case schemes served, e.g. {@code zookeeper}, {@code embedded}. */
    Set<String> schemes();

    /**
     * Connects. Must either return a connected backend or throw, leaving nothing running.
     *
     * @throws dev.baton.InvalidUriException if the URI's hosts, path or parameters are wrong
     * @throws dev.baton.BackendUnavailableException if the engine is not reachable within {@code
     *     context.config().connectTimeout()}
     */
    Backend<?> open(ConnectionUri uri, BackendContext context);
}
