/**
 * Service-provider interface between Baton's core and its engine backends. <b>Internal:</b> shared
 * across Baton's own modules, not for users, and free to change between releases.
 *
 * <p>A backend module registers a {@link dev.baton.spi.BackendProvider} in {@code
 * META-INF/services}; the core's generic primitives (mutex, semaphore, read-write lock, election,
 * key/value, watch) run on top of the {@link dev.baton.spi.Backend} it opens. The SPI is made of
 * SPI types only: a backend reports facts — a grant with its token and send time ({@link
 * dev.baton.spi.GrantSink}), a verdict per grant at renewal ({@link dev.baton.spi.Renewal}), a loss
 * it saw by itself ({@link dev.baton.spi.BackendContext#grantLost}) — and the core settles every
 * race. Who holds is decided by {@link dev.baton.spi.GrantRules}.
 */
package dev.baton.spi;
