package dev.baton.shedlock;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.LeaseKind;
import dev.baton.mem.MemEngine;
import dev.baton.testkit.BackendFixture;
import java.util.List;
import java.util.UUID;

/** A fresh in-memory engine; a client is "crashed" by cutting it off by id. */
final class MemFixture implements BackendFixture {
    private final String engine = "shedlock-" + UUID.randomUUID();

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
        return MemEngine.named(engine).entries(kind, name);
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
