package dev.baton.integration;

import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.InvalidArgumentException;
import dev.baton.InvalidNameException;
import dev.baton.LeaseInvalidException;
import dev.baton.LeaseState;
import dev.baton.Names;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.integration.support.locks.ExpirableLockRegistry;
import org.springframework.integration.support.locks.LockRegistry;
import org.springframework.integration.support.locks.RenewableLockRegistry;

/**
 * A Spring Integration {@link LockRegistry} whose locks are Baton mutexes: usable wherever Spring
 * Integration takes a lock registry (aggregators, {@code LockRegistryLeaderInitiator}, {@code
 * executeLocked}), with Baton's lease semantics underneath.
 *
 * <pre>{@code
 * @Bean
 * BatonLockRegistry lockRegistry(Baton baton) {        // the application's Baton client
 *     return new BatonLockRegistry(baton);             // names locks "integration/<key>"
 * }
 *
 * BatonLock lock = registry.obtain("orders-42");
 * lock.lock();
 * try {
 *     long token = lock.lease().orElseThrow().fencingToken();
 *     store.write(order, token);                       // the store rejects stale tokens
 * } finally {
 *     lock.unlock();                                   // throws LockLostException if it was lost
 * }
 * }</pre>
 *
 * <p><b>Keys</b> are {@link String}s; the lock for key {@code k} is the Baton mutex named {@code
 * prefix + k}, which must satisfy {@link Names} (segments of {@code [A-Za-z0-9._-]+} joined by
 * {@code '/'}, at most 200 characters in all). Other keys are rejected by {@link #obtain} with an
 * {@link InvalidLockKeyException} naming the key and the rule, never rewritten: the name in {@code
 * baton locks} is the key, and two keys never share a lock.
 *
 * <p><b>Semantics</b>, as Spring Integration's registries have them: locks are reentrant per thread
 * and only the holding thread may unlock ({@link IllegalStateException} otherwise); {@code lock()}
 * ignores interrupts, {@code lockInterruptibly()} and {@code tryLock(time, unit)} honour them;
 * {@code tryLock()} never waits in the engine's queue; conditions are unsupported; locks are scoped
 * by registry (two registries on one Baton client exclude each other like two processes). Baton
 * adds: the lease is renewed by Baton itself for as long as it is held (no TTL to choose per lock,
 * no renewal scheduler); a lost lease is known to this client before the engine grants the key to
 * anyone else, and is reported by a {@link LockLostException} (a {@code
 * ConcurrentModificationException}, as {@code RedisLockRegistry} throws) at the holder's final
 * unlock; the holder can read its {@link FencedLease} ({@link BatonLock#lease()}, {@link
 * #currentLease}) to pass the fencing token to the protected resource.
 *
 * <p><b>State</b>: per-key state exists only while a thread of this registry holds or waits for the
 * key, so it never grows with the number of keys ever used; {@link #obtain} returns the handle in
 * use while there is one, and otherwise a new, equal, interchangeable handle. {@link
 * #expireUnusedOlderThan} has therefore nothing to remove.
 *
 * <p><b>Threads</b>: all work runs on the calling thread; no user code runs on Baton's or the
 * engine's threads. The registry does not own the {@link Baton} client: closing the client makes
 * every held lease lost.
 */
public final class BatonLockRegistry
        implements ExpirableLockRegistry<BatonLock>, RenewableLockRegistry<BatonLock> {

    /**
     * The default name prefix: the lock for key {@code k} is the Baton mutex {@code integration/k}.
     */
    public static final String DEFAULT_PREFIX = "integration/";

    private final Baton baton;
    private final String prefix;

    /** Key → its state while in use; see {@link Holding} for the invariants. */
    private final ConcurrentHashMap<String, Holding> holdings = new ConcurrentHashMap<>();

    /** A registry naming its locks {@value #DEFAULT_PREFIX}{@code <key>}. */
    public BatonLockRegistry(Baton baton) {
        this(baton, DEFAULT_PREFIX);
    }

    /**
     * A registry naming its locks {@code prefix + key}.
     *
     * @param prefix empty, or a valid Baton name followed by {@code '/'} (such as {@code
     *     "integration/"} or {@code "app/orders/"})
     * @throws InvalidArgumentException if {@code prefix} is neither
     */
    public BatonLockRegistry(Baton baton, String prefix) {
        this.baton = Objects.requireNonNull(baton, "baton");
        this.prefix = checkPrefix(prefix);
    }

    /** The name prefix of this registry's locks. */
    public String prefix() {
        return prefix;
    }

    /**
     * The lock for {@code lockKey}: the handle currently in use for the key if there is one,
     * otherwise a new handle (handles of one key are equal and share all state). Never contacts the
     * engine.
     *
     * @throws InvalidLockKeyException if the key is not a String or {@code prefix + key} is not a
     *     valid Baton name
     * @throws dev.baton.ClientClosedException if the Baton client is closed
     */
    @Override
    public BatonLock obtain(Object lockKey) {
        String key = checkKey(lockKey);
        Holding h = holdings.get(key);
        if (h != null) {
            return h.handle;
        }
        return new BatonLock(this, key, baton.mutex(prefix + key));
    }

    /**
     * The lease behind the calling thread's hold of {@code lockKey}, as {@link BatonLock#lease()}:
     * empty if the calling thread does not hold that lock.
     *
     * @throws InvalidLockKeyException as for {@link #obtain}
     */
    public Optional<FencedLease> currentLease(Object lockKey) {
        Holding h = holdings.get(checkKey(lockKey));
        if (h == null || !h.local.isHeldByCurrentThread()) {
            return Optional.empty();
        }
        return Optional.ofNullable(h.lease);
    }

    /**
     * Confirms that the calling thread still holds {@code lockKey} under a valid lease. Nothing
     * needs renewing: Baton renews every held lease itself (a batch every third of the lease TTL)
     * until it is released or lost. Returns normally if the lease is {@link LeaseState#HELD}.
     *
     * @throws IllegalStateException if the calling thread does not hold the lock, or its lease is
     *     in doubt (a renewal is unconfirmed; it becomes held again or lost before the deadline) or
     *     lost; the cause is Baton's {@link LeaseInvalidException} when there is a lease
     * @throws InvalidLockKeyException as for {@link #obtain}
     */
    @Override
    public void renewLock(Object lockKey) {
        String key = checkKey(lockKey);
        FencedLease lease =
                currentLease(key)
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "Could not renew the lock for key \""
                                                        + key
                                                        + "\": "
                                                        + Thread.currentThread()
                                                        + " does not hold it"));
        try {
            lease.ensureValid();
        } catch (LeaseInvalidException e) {
            throw new IllegalStateException(
                    "Could not renew the lock for key \""
                            + key
                            + "\" (fencing token "
                            + lease.fencingToken()
                            + "): "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * As {@link #renewLock(Object)}. The lease TTL is the Baton client's ({@link
     * dev.baton.BatonConfig#leaseTtl()}) and held leases are renewed for as long as they are held,
     * so {@code ttl} is checked (positive) and otherwise not needed.
     *
     * @throws InvalidArgumentException if {@code ttl} is null, zero or negative
     */
    @Override
    public void renewLock(Object lockKey, Duration ttl) {
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw InvalidArgumentException.mustBe("ttl", "positive", ttl);
        }
        renewLock(lockKey);
    }

    /**
     * Nothing to do: per-key state exists only while a key is held or waited for, and handles hold
     * no state. Kept so that configurations that call it on a schedule work unchanged.
     *
     * @throws InvalidArgumentException if {@code age} is negative
     */
    @Override
    public void expireUnusedOlderThan(long age) {
        if (age < 0) {
            throw InvalidArgumentException.mustBe("age", "at least 0 ms", age);
        }
    }

    @Override
    public String toString() {
        return "BatonLockRegistry{prefix=\""
                + prefix
                + "\", client="
                + baton.clientId()
                + ", keysInUse="
                + holdings.size()
                + "}";
    }

    /**
     * Counts a lock attempt on {@code lock}'s key, creating the key's state if needed. The caller
     * must {@link #leave} exactly once for it: after its attempt failed, or at its unlock.
     */
    Holding enter(BatonLock lock) {
        return holdings.compute(
                lock.key(),
                (k, h) -> {
                    Holding state = h != null ? h : new Holding(lock);
                    state.users++;
                    return state;
                });
    }

    /** Undoes one {@link #enter}; the key's state goes when its last user leaves. */
    void leave(String key) {
        holdings.compute(
                key,
                (k, h) -> {
                    if (h == null || h.users <= 0) {
                        throw new IllegalStateException("no lock attempt to end for key " + k);
                    }
                    h.users--;
                    return h.users == 0 ? null : h;
                });
    }

    /** The key's state, or {@code null} if no thread of this registry holds or waits for it. */
    Holding holding(String key) {
        return holdings.get(key);
    }

    /** How many keys have state now (held or waited for); for tests. */
    int keysInUse() {
        return holdings.size();
    }

    private String checkKey(Object lockKey) {
        if (!(lockKey instanceof String key)) {
            throw new InvalidLockKeyException(
                    lockKey,
                    "a BatonLockRegistry key must be a String"
                            + (lockKey == null ? "" : ", not a " + lockKey.getClass().getName()),
                    null);
        }
        try {
            Names.validate(prefix + key);
        } catch (InvalidNameException e) {
            throw new InvalidLockKeyException(
                    key,
                    "with the registry's prefix \""
                            + prefix
                            + "\" it is not a valid Baton lock name: "
                            + e.getMessage(),
                    e);
        }
        return key;
    }

    private static String checkPrefix(String prefix) {
        if (prefix == null) {
            throw InvalidArgumentException.mustBe(
                    "prefix", "empty or a valid Baton name followed by '/'", null);
        }
        if (prefix.isEmpty()) {
            return prefix;
        }
        if (!prefix.endsWith("/")) {
            throw InvalidArgumentException.mustBe(
                    "prefix", "empty or a valid Baton name followed by '/'", "\"" + prefix + "\"");
        }
        try {
            Names.validate(prefix.substring(0, prefix.length() - 1));
        } catch (InvalidNameException e) {
            throw new InvalidArgumentException(
                    "prefix must be empty or a valid Baton name followed by '/', but was \""
                            + prefix
                            + "\": "
                            + e.getMessage());
        }
        return prefix;
    }
}
