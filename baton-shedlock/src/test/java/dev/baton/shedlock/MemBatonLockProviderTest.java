package dev.baton.shedlock;

import dev.baton.testkit.BackendFixture;

/** The contract on Baton's in-memory engine; a crash is a client cut off by id. */
class MemBatonLockProviderTest extends BatonLockProviderContract {

    @Override
    protected BackendFixture startFixture() {
        return new MemFixture();
    }

    @Override
    protected int fuzzIterations() {
        return 100;
    }
}
