package dev.baton.integration;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.LeaseKind;
import dev.baton.mem.MemEngine;
import dev.baton.testkit.BackendFixture;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The registry contract on Baton's in-memory engine. */
class MemLockRegistryTest extends LockRegistryContract {

    @Override
    protected BackendFixture startFixture() {
        return new MemFixture();
    }

    /** A fresh {@code mem:} engine per test class; partitions through {@link MemEngine}. */
    static final class MemFixture implements BackendFixture {
        private static final AtomicInteger ENGINES = new AtomicInteger();
        final String engine = "si-registry-" + ENGINES.incrementAndGet();

        @Override
        public Baton connect(BatonConfig config) {
            return Baton.connect("mem:" + engine, config);
        }

        @Override
        public Baton connectPartitionable(BatonConfig config) {
            return connect(config);
        }

        @Override
        public void partition(Baton client) {
            MemEngine.named(engine).partition(client.clientId());
        }

        @Override
        public void heal(Baton client) {
            MemEngine.named(engine).heal(client.clientId());
        }

        @Override
        public List<String> engineEntries(LeaseKind kind, String name) {
            return List.of(); // the tests read queues through Baton.inspect
        }

        @Override
        public List<String> conditionEntries(String monitor, String condition) {
            return MemEngine.named(engine).conditionWaiters(monitor, condition);
        }

        @Override
        public void close() {
            MemEngine.reset(engine);
        }
    }
}
