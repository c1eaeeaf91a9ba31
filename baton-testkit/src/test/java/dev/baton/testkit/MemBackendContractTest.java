package dev.baton.testkit;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.LeaseKind;
import dev.baton.mem.MemEngine;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/** The contract suite against the in-memory engine; one engine shared by every test. */
class MemBackendContractTest extends BackendContractTest {
    private static final String ENGINE = "contract-suite";

    @AfterAll
    static void dropEngine() {
        MemEngine.reset(ENGINE);
    }

    @Override
    protected Baton connect(BatonConfig config) {
        return Baton.connect("mem:" + ENGINE, config);
    }

    @Override
    protected Baton connectPartitionable(BatonConfig config) {
        return connect(config); // every mem client can be cut off by id
    }

    @Override
    protected void partition(Baton client) {
        MemEngine.named(ENGINE).partition(client.clientId());
    }

    @Override
    protected void heal(Baton client) {
        MemEngine.named(ENGINE).heal(client.clientId());
    }

    @Override
    protected List<String> engineEntries(LeaseKind kind, String name) {
        return MemEngine.named(ENGINE).entries(kind, name);
    }
}
