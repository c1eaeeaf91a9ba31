package dev.baton.testkit;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.LeaseKind;
import dev.baton.mem.MemEngine;
import java.util.List;

/** The in-memory engine of one name; every client can be cut off by its id. */
class MemFixture implements BackendFixture {
    private final String engine;

    MemFixture(String engine) {
        this.engine = engine;
    }

    @Override
    public Baton connect(BatonConfig config) {
        return Baton.connect("mem:" + engine, config);
    }

    @Override
    public Baton connectPartitionable(BatonConfig config) {
        return connect(config); // every mem client can be cut off by id
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
