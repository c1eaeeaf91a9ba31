/**
 * Service-provider interface between Baton's core and its engine backends. <b>Internal:</b> shared
 * across Baton's own modules, not for users, and free to change between releases.
 *
 * <p>A backend module registers a {@link dev.baton.spi.BackendProvider} in {@code
 * META-INF/services}; the core's generic primitives (mutex, semaphore, read-write lock, election,
 * key/value, watch) run on top of the {@link dev.baton.spi.Backend} it opens.
 */
package dev.baton.spi;
