package dev.baton.redis;

import dev.baton.FencedLease;
import dev.baton.Lease;
import dev.baton.LeaseKind;
import dev.baton.LeaseLoss;
import dev.baton.LeaseState;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * A Redlock grant as a plain {@link Lease}: the core's lease (deadline, renewal, loss signal)
 * behind a type that has no fencing token, because Redlock cannot promise monotonic ones. The
 * core's placeholder token (0) is never reachable from here. Thread-safe as its delegate is.
 */
final class RedlockLease implements Lease {
    private final FencedLease core;

    RedlockLease(FencedLease core) {
        this.core = core;
    }

    @Override
    public String name() {
        return core.name();
    }

    @Override
    public LeaseKind kind() {
        return core.kind();
    }

    @Override
    public int permits() {
        return core.permits();
    }

    @Override
    public String holder() {
        return core.holder();
    }

    @Override
    public Instant grantedAt() {
        return core.grantedAt();
    }

    @Override
    public LeaseState state() {
        return core.state();
    }

    @Override
    public Duration remaining() {
        return core.remaining();
    }

    @Override
    public void ensureValid() {
        core.ensureValid();
    }

    @Override
    public CompletionStage<LeaseLoss> lost() {
        return core.lost();
    }

    @Override
    public boolean release() {
        return core.release();
    }

    @Override
    public String toString() {
        return "RedlockLease{\"" + name() + "\" holder=" + holder() + " " + state() + "}";
    }
}
