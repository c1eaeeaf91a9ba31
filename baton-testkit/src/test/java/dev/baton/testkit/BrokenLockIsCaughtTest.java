package dev.baton.testkit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedMethod;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.Election;
import dev.baton.FencedLease;
import dev.baton.KeyValueStore;
import dev.baton.LeaseKind;
import dev.baton.LeaseLoss;
import dev.baton.LeaseState;
import dev.baton.LockSnapshot;
import dev.baton.Mutex;
import dev.baton.ReadWriteLock;
import dev.baton.Semaphore;
import dev.baton.Subscription;
import dev.baton.WatchListener;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * A test that must fail to prove a checker works: the contract suite's mutual-exclusion test, run
 * by the JUnit engine as a backend's suite runs it (fixture started, nested class, per-test names
 * and clean-up), against clients whose mutex excludes nobody, must fail on overlapping holders.
 */
class BrokenLockIsCaughtTest {

    @Test
    void mutualExclusionTestFailsAgainstANoOpMutex() {
        EngineExecutionResults results =
                EngineTestKit.engine("junit-jupiter")
                        .selectors(
                                selectNestedMethod(
                                        List.of(BrokenSuite.class),
                                        ContractSuite.Mutex.class,
                                        "mutexExcludesAcrossClientsAndThreads"))
                        .execute();

        results.containerEvents().assertStatistics(stats -> stats.failed(0));
        results.testEvents().assertStatistics(stats -> stats.started(1).failed(1));
        results.testEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        finishedWithFailure(
                                instanceOf(AssertionError.class),
                                message(m -> m.contains("overlapping holders"))));
    }

    /** The suite over mem clients whose {@link Baton#mutex} grants every request at once. */
    static final class BrokenSuite extends ContractSuite {
        @Override
        protected BackendFixture startFixture() {
            return new MemFixture("broken-lock") {
                @Override
                public Baton connect(BatonConfig config) {
                    return new NoOpMutexBaton(super.connect(config));
                }
            };
        }
    }

    private static final AtomicLong TOKENS = new AtomicLong();

    /** Delegates everything to a real client except {@link #mutex}, which excludes nobody. */
    private record NoOpMutexBaton(Baton real) implements Baton {
        @Override
        public String clientId() {
            return real.clientId();
        }

        @Override
        public String uri() {
            return real.uri();
        }

        @Override
        public BatonConfig config() {
            return real.config();
        }

        @Override
        public Mutex mutex(String name) {
            return new NoOpMutex(name, real.clientId());
        }

        @Override
        public Semaphore semaphore(String name, int permits) {
            return real.semaphore(name, permits);
        }

        @Override
        public ReadWriteLock readWriteLock(String name) {
            return real.readWriteLock(name);
        }

        @Override
        public Election election(String name) {
            return real.election(name);
        }

        @Override
        public dev.baton.ConnectionState connectionState() {
            return real.connectionState();
        }

        @Override
        public dev.baton.Monitor monitor(String name) {
            return real.monitor(name);
        }

        @Override
        public KeyValueStore keyValue() {
            return real.keyValue();
        }

        @Override
        public Subscription watch(String prefix, WatchListener listener) {
            return real.watch(prefix, listener);
        }

        @Override
        public Optional<LockSnapshot> inspect(String name) {
            return real.inspect(name);
        }

        @Override
        public java.util.List<dev.baton.FencedLease> leases() {
            return real.leases();
        }

        @Override
        public List<LockSnapshot> locks(String prefix) {
            return real.locks(prefix);
        }

        @Override
        public void close() {
            real.close();
        }
    }

    private record NoOpMutex(String name, String holder) implements Mutex {
        @Override
        public FencedLease acquire(Duration timeout) {
            return new FakeLease(name, holder, TOKENS.incrementAndGet());
        }

        @Override
        public FencedLease acquire() {
            return acquire(Duration.ZERO);
        }

        @Override
        public Optional<FencedLease> tryAcquire() {
            return Optional.of(acquire(Duration.ZERO));
        }

        @Override
        public CompletableFuture<FencedLease> acquireAsync(Duration timeout) {
            return CompletableFuture.completedFuture(acquire(timeout));
        }
    }

    private static final class FakeLease implements FencedLease {
        private final String name;
        private final String holder;
        private final long token;
        private final AtomicBoolean released = new AtomicBoolean();

        FakeLease(String name, String holder, long token) {
            this.name = name;
            this.holder = holder;
            this.token = token;
        }

        @Override
        public long fencingToken() {
            return token;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public LeaseKind kind() {
            return LeaseKind.MUTEX;
        }

        @Override
        public int permits() {
            return 1;
        }

        @Override
        public String holder() {
            return holder;
        }

        @Override
        public Instant grantedAt() {
            return Instant.EPOCH;
        }

        @Override
        public Duration remaining() {
            return released.get() ? Duration.ZERO : Duration.ofDays(1);
        }

        @Override
        public LeaseState state() {
            return released.get() ? LeaseState.RELEASED : LeaseState.HELD;
        }

        @Override
        public void ensureValid() {}

        @Override
        public CompletionStage<LeaseLoss> lost() {
            return new CompletableFuture<>();
        }

        @Override
        public boolean release() {
            return released.compareAndSet(false, true);
        }
    }
}
