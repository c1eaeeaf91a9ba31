/**
 * Spring Integration on Baton: {@link dev.baton.integration.BatonLockRegistry}, a {@code
 * LockRegistry} (also {@code ExpirableLockRegistry} and {@code RenewableLockRegistry}) whose locks
 * are Baton mutexes, for aggregators, {@code executeLocked} and {@code LockRegistryLeaderInitiator}
 * across processes.
 *
 * <p>Each {@link dev.baton.integration.BatonLock} is reentrant per thread over one fenced Baton
 * lease: the holder reads the lease's fencing token and loss signal through {@link
 * dev.baton.integration.BatonLock#lease()}, and a lease lost while held is reported at unlock by a
 * {@link dev.baton.integration.LockLostException} (a {@code ConcurrentModificationException}, as
 * Spring Integration's Redis and JDBC registries throw). Keys that cannot name a Baton lock are
 * rejected with an {@link dev.baton.integration.InvalidLockKeyException}.
 *
 * <p>Compiled against Spring Integration 7.1; declared {@code provided}: the application brings its
 * own Spring Integration (6.5 or 7.x; see the module's README section).
 */
package dev.baton.integration;
