package dev.baton.spi;

import dev.baton.LockSnapshot;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * One client's connection to an engine. <b>Internal.</b> The core validates every argument before
 * calling; a backend may assume valid names, permits and versions.
 *
 * <p>{@code G} is the backend's own record of one grant (a znode path, an entry id and its keys):
 * the backend hands it to the core with the grant and gets it back, never anything else, to renew
 * and release. The core compares grants with {@code equals}, so two grants must never be equal; it
 * never looks inside one.
 *
 * <p><b>Who settles races.</b> A backend only reports: a grant to the {@link GrantSink} of the
 * request, the fate of each lease at renewal, a loss it learns of by itself ({@link
 * BackendContext#grantLost}). The core alone decides what a report means for the caller: a grant
 * that arrives after the caller gave up (timeout, interrupt, cancel, client closed) is released
 * through {@link #release}; a loss that races with a release is reported once; a grant made while
 * the client closes is marked lost and released. No backend completes a caller's future, and no
 * backend touches a lease.
 */
public interface Backend<G> extends AutoCloseable {

    /**
     * The effective lease TTL, which the core's local deadlines are built on.
     *
     * @return the configured TTL, or on ZooKeeper the session timeout the server negotiated
     */
    Duration leaseTtl();

    /**
     * Starts one acquisition and returns at once (a waiter costs no thread). The backend reports
     * its outcome to {@code sink} exactly once, on any thread, possibly before this method returns:
     * {@link GrantSink#granted}, {@link GrantSink#denied} (try-once) or {@link GrantSink#failed}.
     * If the caller gives up first, the core calls {@link PendingAcquire#withdraw} on the returned
     * handle, once.
     *
     * @param request what to acquire: name, kind, permits, try-once or not
     * @param sink where to report the outcome
     * @return the handle the core withdraws the request through
     * @throws dev.baton.BatonException if the request cannot even be sent (client closed); the sink
     *     is then never called
     */
    PendingAcquire acquire(AcquireRequest request, GrantSink<G> sink);

    /**
     * Removes the grant from the engine; never touches another grant. Called at most once per
     * grant, by the core, on the releasing caller's thread or a blocking worker (never an engine
     * thread), also for a grant that lost a race with its caller giving up.
     *
     * @param grant the backend's own record of the grant, as reported to the sink
     * @throws dev.baton.BackendUnavailableException if the engine could not be told (the grant then
     *     expires with its TTL or session)
     */
    void release(G grant);

    /**
     * Renews the given grants in one batch (on ZooKeeper, one round trip keeps the session alive).
     * The core reads the send time before calling and applies it to every {@link Renewal#CONFIRMED}
     * grant, however late the answer comes: a confirmation can only move a deadline forward, and
     * never revives a lost lease.
     *
     * @param grants the grants of the client's live leases, as reported to their sinks
     * @return one verdict per grant, in the order given; completes exceptionally if the engine
     *     could not be reached (every grant of the batch is then {@link Renewal#UNDECIDED})
     */
    CompletionStage<List<Renewal>> renew(List<G> grants);

    /**
     * Monitor wait, step one: atomically removes {@code holder} — the current grant of the monitor
     * {@code reentry.name()} (kind {@link dev.baton.LeaseKind#MONITOR}) — handing the monitor to
     * the next in its entry queue, and appends a waiter to the condition {@code condition}'s wait
     * queue; no signal can fall between the two. Returns once the engine has done both (on the
     * caller's thread, never an engine thread; bounded by the request timeout). An interrupt of the
     * caller does not end this step early: the backend waits for the engine's answer and leaves the
     * interrupt set, and the core then withdraws the waiter and throws {@link
     * dev.baton.LockInterruptedException} (the contract's {@code
     * anAwaitBegunWhileInterruptedLeavesNothingInTheEngine}).
     *
     * <p>A signal ({@link #signal}) or {@link PendingAwait#timeUp} later moves the waiter to the
     * tail of the monitor's entry queue, as a new entry with a new, higher token; its grant is
     * reported to {@code sink} exactly as for {@link #acquire}. A waiter whose session ends leaves
     * the wait queue with it; its sink is then failed.
     *
     * @param holder the grant given up, or {@code null} to join the wait queue without giving up
     *     anything: only the two-step control ({@code dev.baton.internal.TwoStepControl}) does
     *     that, to show the lost wake-up that atomicity prevents
     * @param condition a validated condition name (one segment)
     * @param reentry the request the waiter re-enters with (MONITOR, 1 of 1, not try-once)
     * @param sink where to report the re-entry grant (or failure)
     * @return the handle the core ends the wait through ({@link PendingAwait#timeUp}, withdraw)
     * @throws NotHolderException if {@code holder} is not the monitor's current holder in the
     *     engine (nothing changed)
     * @throws dev.baton.BackendUnavailableException if the engine could not be reached (whether the
     *     step happened is unknown; a waiter left behind goes with the session)
     */
    default PendingAwait await(
            G holder, String condition, AcquireRequest reentry, GrantSink<G> sink) {
        throw new dev.baton.BatonException(this + " has no monitors");
    }

    /**
     * Moves the longest-waiting live waiter of {@code condition} (all of them, if {@code all}) of
     * the monitor held by {@code holder} to the tail of the monitor's entry queue, in one atomic
     * step that also checks in the engine that {@code holder} is the monitor's current holder. On
     * the caller's thread.
     *
     * @param holder the caller's grant of the monitor
     * @param monitor the monitor's name
     * @param condition a validated condition name (one segment)
     * @param all whether to move every waiter rather than the longest-waiting one
     * @return how many waiters were moved
     * @throws NotHolderException if {@code holder} is not the monitor's current holder (nothing
     *     changed)
     */
    default int signal(G holder, String monitor, String condition, boolean all) {
        throw new dev.baton.BatonException(this + " has no monitors");
    }

    /**
     * The engine's view of a lock name, across primitive kinds.
     *
     * @param name a validated lock name
     * @return holders and waiters of the name, or empty if it has no state
     */
    Optional<LockSnapshot> inspect(String name);

    /**
     * Snapshots of every lock name under {@code prefix} with holders or waiters.
     *
     * @param prefix a validated prefix, {@code ""} for every name
     * @return one snapshot per name with state, in any order (the core does not sort)
     */
    List<LockSnapshot> locks(String prefix);

    /**
     * Reads a key; see {@link dev.baton.KeyValueStore#get}.
     *
     * @param key a validated key
     * @return the value and version, or empty if absent
     */
    Optional<Versioned> get(String key);

    /**
     * Writes a key unconditionally, with a version above every earlier one of the key (deleted ones
     * included).
     *
     * @param key a validated key
     * @param value the bytes, not null
     * @return the value written and its new version
     */
    Versioned put(String key, byte[] value);

    /**
     * Writes a key only at {@code expectedVersion}, atomically in the engine.
     *
     * @param key a validated key
     * @param expectedVersion the version the key must have, or {@link Versioned#ABSENT}
     * @param value the bytes, not null
     * @return the value written and its new version, or empty if the version did not match
     */
    Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value);

    /**
     * Deletes a key, keeping its version so that a later write goes above it.
     *
     * @param key a validated key
     * @param expectedVersion the version the key must have; {@code < 0} means any version
     * @return whether the key was deleted
     */
    boolean delete(String key, long expectedVersion);

    /**
     * Existing keys under {@code prefix}.
     *
     * @param prefix a validated prefix, {@code ""} for every key
     * @return the keys, sorted
     */
    List<String> keys(String prefix);

    /**
     * Starts delivering changes under {@code prefix} to {@code sink}, in the engine's order, one at
     * a time. {@code sink} never blocks (it enqueues).
     *
     * @param prefix a validated prefix, {@code ""} for every name
     * @param sink the subscription's queue
     * @return a handle that stops delivery when closed
     */
    AutoCloseable watch(String prefix, Consumer<WatchEvent> sink);

    /**
     * Disconnects. The core has already marked every lease lost and released its grant; the backend
     * fails the sinks of acquisitions still in flight ({@link dev.baton.ClientClosedException}) and
     * leaves no thread of its own running.
     */
    @Override
    void close();
}
