package dev.baton.spi;

import dev.baton.LockSnapshot;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import dev.baton.internal.LeaseImpl;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * One client's connection to an engine. <b>Internal.</b> The core validates every argument before
 * calling; a backend may assume valid names, permits and versions.
 *
 * <p><b>Acquire protocol.</b> {@link #acquire} returns a future that the backend completes with a
 * lease made by {@link BackendContext#newLease} once granted. Anyone may complete the future first:
 * the core cancels it (interrupt, user cancel) or fails it with a timeout. The backend must then
 * withdraw the request from the engine, and if it grants later, {@code future.complete(lease)}
 * returns false and the backend must release that lease. Nothing may be left behind.
 */
public interface Backend extends AutoCloseable {

    /** The effective lease TTL (on ZooKeeper, the negotiated session timeout). */
    Duration leaseTtl();

    CompletableFuture<LeaseImpl> acquire(AcquireRequest request);

    /**
     * Removes the lease's own grant from the engine; never touches another grant. Called at most
     * once per lease, by the core, possibly on a blocking executor when the lease was lost.
     *
     * @throws dev.baton.BackendUnavailableException if the engine could not be told (the grant then
     *     expires with its TTL or session)
     */
    void release(LeaseImpl lease);

    /**
     * Renews the given held leases in one batch (on ZooKeeper, one round trip keeps the session
     * alive). The core captures the send time before calling and applies it to leases not returned.
     *
     * @return the leases the engine no longer holds; completes exceptionally if the engine could
     *     not be reached (leases become IN_DOUBT)
     */
    CompletionStage<Set<LeaseImpl>> renew(Collection<LeaseImpl> leases);

    /** The engine's view of a lock name, across primitive kinds; empty if it has no state. */
    Optional<LockSnapshot> inspect(String name);

    /** Snapshots of every lock name under {@code prefix} with holders or waiters. */
    List<LockSnapshot> locks(String prefix);

    Optional<Versioned> get(String key);

    Versioned put(String key, byte[] value);

    Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value);

    /** Deletes; {@code expectedVersion < 0} means any version. */
    boolean delete(String key, long expectedVersion);

    List<String> keys(String prefix);

    /**
     * Starts delivering changes under {@code prefix} to {@code sink}, in the engine's order, one at
     * a time. {@code sink} never blocks (it enqueues). Returns a handle that stops delivery.
     */
    AutoCloseable watch(String prefix, Consumer<WatchEvent> sink);

    /** Disconnects; the core has already dealt with leases and subscriptions. */
    @Override
    void close();
}
