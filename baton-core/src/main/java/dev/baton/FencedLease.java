package dev.baton;

/**
 * A lease with a fencing token: a number strictly greater than the token of every earlier grant of
 * the same name, across all clients and across restarts of the engine's durable state. A resource
 * that remembers the highest token it accepted and rejects lower ones cannot be corrupted by a
 * holder that lost its lease without noticing in time (a long pause, a delayed packet).
 *
 * <p>Backend modes that cannot promise monotonic tokens (Redlock) grant plain {@link Lease}s
 * instead: no token rather than a fake one.
 */
public interface FencedLease extends Lease {
    /**
     * The fencing token of this grant. Pass it with every write to a resource that checks it, so
     * that a write from a holder that has lost the lease is rejected.
     *
     * @return a positive number, strictly greater than the token of every earlier grant of the name
     */
    long fencingToken();
}
