package dev.baton.shedlock;

import dev.baton.testkit.BackendFixture;

/**
 * The contract on a real ZooKeeper server (in this JVM, on a free port); a crash is a client whose
 * traffic a fault proxy blackholes, so its session expires on the server.
 */
class ZooKeeperBatonLockProviderTest extends BatonLockProviderContract {

    @Override
    protected BackendFixture startFixture() {
        return new ZooKeeperFixture();
    }

    @Override
    protected int fuzzIterations() {
        return 25;
    }
}
