package dev.baton.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.Baton;
import dev.baton.InvalidArgumentException;
import dev.baton.InvalidNameException;
import dev.baton.mem.MemEngine;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.integration.support.locks.PassThruLockRegistry;

/** What does not depend on the engine: keys, prefixes, handles, state, and the checker's teeth. */
class BatonLockRegistryTest {
    private static final String ENGINE = "si-registry-unit";
    private final Baton baton = Baton.connect("mem:" + ENGINE);
    private final BatonLockRegistry registry = new BatonLockRegistry(baton);

    @AfterEach
    void close() {
        baton.close();
        MemEngine.reset(ENGINE);
    }

    @Test
    void locksAreNamedPrefixPlusKey() {
        assertThat(registry.prefix()).isEqualTo(BatonLockRegistry.DEFAULT_PREFIX);
        assertThat(registry.obtain("orders/42").name()).isEqualTo("integration/orders/42");
        assertThat(new BatonLockRegistry(baton, "").obtain("x").name()).isEqualTo("x");
        assertThat(new BatonLockRegistry(baton, "app/orders/").obtain("7").name())
                .isEqualTo("app/orders/7");
    }

    @Test
    void aKeyThatIsNotAStringIsRejectedNamingItsType() {
        assertThatThrownBy(() -> registry.obtain(42))
                .isInstanceOf(IllegalArgumentException.class)
                .isInstanceOfSatisfying(
                        InvalidLockKeyException.class, e -> assertThat(e.key()).isEqualTo(42))
                .hasMessageContaining("java.lang.Integer 42")
                .hasMessageContaining("must be a String");
        assertThatThrownBy(() -> registry.obtain(null))
                .isInstanceOf(InvalidLockKeyException.class)
                .hasMessageStartingWith("lock key null is invalid");
    }

    @Test
    void aKeyThatCannotNameABatonLockIsRejectedNamingTheKeyAndTheRule() {
        for (String bad :
                List.of(
                        "orders:42",
                        "a//b",
                        "../etc",
                        "",
                        "with space",
                        "tab\there",
                        "x".repeat(190))) {
            assertThatThrownBy(() -> registry.obtain(bad))
                    .as(bad)
                    .isInstanceOf(InvalidLockKeyException.class)
                    .hasCauseInstanceOf(InvalidNameException.class)
                    .hasMessageContaining("lock key \"" + bad.replace("\t", "\\u0009") + "\"")
                    .hasMessageContaining("[A-Za-z0-9._-]")
                    .hasMessageContaining("with the registry's prefix \"integration/\"");
        }
        assertThatThrownBy(() -> registry.obtain("orders:42"))
                .hasMessageContaining("segment 2 \"orders:42\" has a character outside");
        assertThat(registry.obtain("x".repeat(188)).name()).hasSize(200);
        assertThat(registry.obtain("3f2504e0-4f89-11d3-9a0c-0305e82c3301").name())
                .as("a UUID, as Spring Integration's aggregator uses")
                .endsWith("3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    }

    @Test
    void aPrefixMustBeEmptyOrANameFollowedBySlash() {
        for (String bad : List.of("integration", "/", "a//", "a:b/")) {
            assertThatThrownBy(() -> new BatonLockRegistry(baton, bad))
                    .as(bad)
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining(
                            "prefix must be empty or a valid Baton name followed by '/'");
        }
        assertThatThrownBy(() -> new BatonLockRegistry(baton, null))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> new BatonLockRegistry(null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void handlesOfOneKeyAreEqualAndTheOneInUseIsReturned() {
        BatonLock first = registry.obtain("k");
        BatonLock second = registry.obtain("k");
        assertThat(second).isEqualTo(first).hasSameHashCodeAs(first);
        assertThat(registry.obtain("j")).isNotEqualTo(first);
        assertThat(new BatonLockRegistry(baton).obtain("k"))
                .as("another registry's lock")
                .isNotEqualTo(first);

        second.lock();
        try {
            assertThat(registry.obtain("k")).isSameAs(second);
            assertThat(first.isHeldByCurrentThread())
                    .as("an equal handle shares the state")
                    .isTrue();
            assertThat(first.lease()).isEqualTo(second.lease()).isPresent();
        } finally {
            first.unlock();
        }
        assertThat(second.isAcquiredInThisProcess()).isFalse();
    }

    @Test
    void perKeyStateLastsOnlyWhileAKeyIsHeldOrAwaited() throws Exception {
        for (int i = 0; i < 500; i++) {
            String key = "key-" + i;
            registry.executeLocked(key, () -> assertThat(registry.keysInUse()).isOne());
        }
        assertThat(registry.keysInUse()).isZero();
        registry.expireUnusedOlderThan(0); // nothing to expire, and no error
        assertThatThrownBy(() -> registry.expireUnusedOlderThan(-1))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void conditionsAreNotSupported() {
        assertThatThrownBy(() -> registry.obtain("k").newCondition())
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void renewLockWantsAPositiveTtl() {
        BatonLock lock = registry.obtain("k");
        lock.lock();
        try {
            assertThatThrownBy(() -> registry.renewLock("k", Duration.ZERO))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessage("ttl must be positive, but was PT0S");
        } finally {
            lock.unlock();
        }
    }

    @Test
    void aClosedClientMakesLockingFailWithCannotAcquireLockException() {
        BatonLock lock = registry.obtain("k");
        baton.close();
        assertThatThrownBy(lock::lock)
                .isInstanceOf(org.springframework.dao.CannotAcquireLockException.class)
                .hasMessageContaining("integration/k")
                .hasCauseInstanceOf(dev.baton.ClientClosedException.class);
        assertThat(registry.keysInUse()).isZero();
    }

    /**
     * The counter checker of the contract has teeth: with Spring Integration's pass-through
     * registry (locks that exclude nobody) it sees lost updates or overlapping holders. The threads
     * start together through a gate; rounds repeat until the overlap shows, at most 20.
     */
    @Test
    void theCounterCheckerCatchesALockThatExcludesNobody() throws Exception {
        PassThruLockRegistry broken = new PassThruLockRegistry();
        CounterChecker.Result result = null;
        for (int round = 0; round < 20; round++) {
            result = CounterChecker.run(List.of(broken, broken), "counter", 3, 2000);
            if (!result.exact()) {
                break;
            }
        }
        assertThat(result.exact()).as("broken lock caught: %s", result).isFalse();
    }
}
