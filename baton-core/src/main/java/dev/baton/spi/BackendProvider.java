package dev.baton.spi;

import java.util.Set;

/**
 * Opens {@link Backend}s for some URI schemes. Registered in {@code
 * META-INF/services/dev.baton.spi.BackendProvider}. <b>Internal.</b>
 */
public interface BackendProvider {

    /**
     * The URI schemes this provider serves; {@code Baton.connect} picks the provider by the URI's
     * scheme.
     *
     * @return lower-case schemes, e.g. {@code zookeeper}, {@code embedded}
     */
    Set<String> schemes();

    /**
     * Connects. Must either return a connected backend or throw, leaving nothing running.
     *
     * @param uri the parsed URI, with one of {@link #schemes()}
     * @param context what the core offers the backend: configuration, client id, executors, and
     *     where to report session signals
     * @return a connected backend
     * @throws dev.baton.InvalidUriException if the URI's hosts, path or parameters are wrong
     * @throws dev.baton.BackendUnavailableException if the engine is not reachable within {@code
     *     context.config().connectTimeout()}
     */
    Backend<?> open(ConnectionUri uri, BackendContext context);
}
