package dev.baton.testkit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;

/**
 * The contract every backend meets (DESIGN.md, "What each backend must show"): one nested class per
 * primitive, all over the one {@link BackendFixture} that the backend supplies. A backend's test
 * extends this class once:
 *
 * {@snippet :
 * class ZooKeeperContractTest extends ContractSuite {
 *     @Override
 *     protected BackendFixture startFixture() {
 *         return new ZooKeeperFixture(); // starts a server; close() stops it
 *     }
 * }
 * }
 *
 * <p>The fixture is started before the first test of the suite and closed after the last, so every
 * nested class shares one engine; each test names its locks and keys under a prefix of its own, and
 * every client it opens is healed and closed after it. Waiting is by latches and Awaitility, never
 * by bare sleeps, and no assertion hinges on a timing margin under one second: the loss-signal
 * tests rely on the {@linkplain BackendFixture#config() configured} safety margin of 1.5 s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ContractSuite {
    private BackendFixture fixture;

    /** Starts the engine under test (or connects to it) and returns its fixture. */
    protected abstract BackendFixture startFixture();

    @BeforeAll
    final void startEngine() {
        fixture = startFixture();
    }

    @AfterAll
    final void closeEngine() {
        if (fixture != null) {
            fixture.close();
        }
    }

    final BackendFixture fixture() {
        if (fixture == null) {
            throw new IllegalStateException("the suite's fixture is not started");
        }
        return fixture;
    }

    @Nested
    class Mutex extends MutexContract {
        @Override
        BackendFixture fixture() {
            return ContractSuite.this.fixture();
        }
    }

    @Nested
    class Monitor extends MonitorContract {
        @Override
        BackendFixture fixture() {
            return ContractSuite.this.fixture();
        }
    }

    @Nested
    class LossSignal extends LossSignalContract {
        @Override
        BackendFixture fixture() {
            return ContractSuite.this.fixture();
        }
    }

    @Nested
    class Semaphore extends SemaphoreContract {
        @Override
        BackendFixture fixture() {
            return ContractSuite.this.fixture();
        }
    }

    @Nested
    class ReadWriteLock extends ReadWriteLockContract {
        @Override
        BackendFixture fixture() {
            return ContractSuite.this.fixture();
        }
    }

    @Nested
    class GrantRules extends GrantRulesContract {
        @Override
        BackendFixture fixture() {
            return ContractSuite.this.fixture();
        }
    }

    @Nested
    class Election extends ElectionContract {
        @Override
        BackendFixture fixture() {
            return ContractSuite.this.fixture();
        }
    }

    @Nested
    class KeyValue extends KeyValueContract {
        @Override
        BackendFixture fixture() {
            return ContractSuite.this.fixture();
        }
    }

    @Nested
    class Watch extends WatchContract {
        @Override
        BackendFixture fixture() {
            return ContractSuite.this.fixture();
        }
    }

    @Nested
    class BadInput extends BadInputContract {
        @Override
        BackendFixture fixture() {
            return ContractSuite.this.fixture();
        }
    }
}
