package dev.baton.internal;

import dev.baton.FencedLease;
import dev.baton.InvalidNameException;
import dev.baton.LeaseKind;
import dev.baton.Monitor;
import dev.baton.MonitorCondition;
import dev.baton.Names;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A monitor: its entry is a FIFO lock of kind {@link LeaseKind#MONITOR} ({@link LockImpl} settles
 * timeouts, interrupts and cancellation as for every lock); its conditions are {@link
 * ConditionImpl}s. <b>Internal.</b>
 */
final class MonitorImpl implements Monitor {
    private final BatonImpl baton;
    private final String name;
    private final LockImpl entry;

    MonitorImpl(BatonImpl baton, String name) {
        this.baton = baton;
        this.name = name;
        this.entry = new LockImpl(baton, name, LeaseKind.MONITOR, 1);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public FencedLease enter(Duration timeout) {
        return entry.acquire(timeout);
    }

    @Override
    public FencedLease enter() {
        return entry.acquire();
    }

    @Override
    public Optional<FencedLease> tryEnter() {
        return entry.tryAcquire();
    }

    @Override
    public CompletableFuture<FencedLease> enterAsync(Duration timeout) {
        return entry.acquireAsync(timeout);
    }

    @Override
    public MonitorCondition condition(String conditionName) {
        return new ConditionImpl(baton, this, validateCondition(conditionName), null);
    }

    /** A condition name is one name segment: it becomes one ZooKeeper node or Redis key part. */
    static String validateCondition(String conditionName) {
        Names.validate(conditionName);
        if (conditionName.indexOf('/') >= 0) {
            throw new InvalidNameException(
                    conditionName, "a condition name is one segment, without '/'");
        }
        if (conditionName.length() > MonitorCondition.MAX_NAME_LENGTH) {
            throw new InvalidNameException(
                    conditionName,
                    "a condition name has at most "
                            + MonitorCondition.MAX_NAME_LENGTH
                            + " characters, this one "
                            + conditionName.length());
        }
        return conditionName;
    }

    @Override
    public String toString() {
        return "MONITOR \"" + name + "\"";
    }
}
