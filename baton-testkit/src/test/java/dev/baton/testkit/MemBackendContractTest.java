package dev.baton.testkit;

/** The contract suite against the in-memory engine; one engine shared by every test. */
class MemBackendContractTest extends ContractSuite {

    @Override
    protected BackendFixture startFixture() {
        return new MemFixture("contract-suite");
    }
}
