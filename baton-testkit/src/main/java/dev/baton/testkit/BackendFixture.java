package dev.baton.testkit;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.LeaseKind;
import java.time.Duration;
import java.util.List;

/**
 * One backend as the {@link ContractSuite} sees it: how to connect a client, how to cut one off
 * from the engine and reconnect it, and how to read the engine's raw queue entries for residue
 * checks. A backend implements it once; the suite starts it before its first test and {@linkplain
 * #close() closes} it after its last, and every test names its locks and keys under a prefix of its
 * own, so one engine serves the whole suite.
 */
public interface BackendFixture extends AutoCloseable {

    /** A new client of the engine under test. */
    Baton connect(BatonConfig config);

    /** A client the test can cut off with {@link #partition}. */
    Baton connectPartitionable(BatonConfig config);

    /** Requests and renewals of {@code client} stop reaching the engine; nothing is closed. */
    void partition(Baton client);

    /** Undoes {@link #partition}. */
    void heal(Baton client);

    /**
     * Raw queue entries of {@code name} in the part of the engine where {@code kind} lives (for
     * READ and WRITE: the shared read-write queue), one string per entry, granted or waiting, for
     * residue checks. Empty when the engine has nothing for the name.
     */
    List<String> engineEntries(LeaseKind kind, String name);

    /**
     * Raw waiters of the wait queue of {@code condition} of monitor {@code monitor}, oldest first,
     * one string per waiter, for residue and order checks. Empty when the engine has none. (The
     * monitor's entry queue is {@link #engineEntries} of {@link LeaseKind#MONITOR}.)
     */
    List<String> conditionEntries(String monitor, String condition);

    /**
     * The configuration of the suite's clients. Lease TTL 5 s, safety margin 1.5 s: the loss signal
     * leads the engine's expiry by more than 1 s, which the loss-signal tests rely on.
     */
    default BatonConfig config() {
        return BatonConfig.custom()
                .leaseTtl(Duration.ofSeconds(5))
                .safetyMargin(Duration.ofMillis(1500))
                .build();
    }

    /**
     * Whether the backend's watch reports every write. Return {@code false} for an engine whose
     * watch coalesces writes that follow each other closely (a ZooKeeper watch carries no data, so
     * the value is read after the event): the watch tests then check only what such a watch
     * promises — engine order, rising versions, and the latest value always delivered.
     */
    default boolean watchDeliversEveryWrite() {
        return true;
    }

    /**
     * Whether the waiters one {@code signalAll} wakes re-enter the monitor in the order they
     * waited. Return {@code false} for an engine where each woken waiter queues itself again
     * (ZooKeeper: the new entry must belong to the waiter's own session), so that waiters woken
     * together take their places in the order they see the wake-up; each still re-enters behind
     * everyone queued to enter before it was woken.
     */
    default boolean signalAllKeepsWaitOrder() {
        return true;
    }

    /** Stops what the fixture started (servers, proxies, inspectors). */
    @Override
    default void close() {}
}
