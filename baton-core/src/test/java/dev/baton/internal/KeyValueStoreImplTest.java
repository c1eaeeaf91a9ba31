package dev.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.Baton;
import dev.baton.InvalidArgumentException;
import dev.baton.UpdateConflictException;
import dev.baton.UpdateResult;
import dev.baton.mem.MemEngine;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The optimistic update loop over the in-memory engine, with contention injected on purpose. */
class KeyValueStoreImplTest {
    private static final String ENGINE = "kv-impl-test";
    private Baton a;
    private Baton b;

    @BeforeEach
    void connect() {
        a = Baton.connect("mem:" + ENGINE);
        b = Baton.connect("mem:" + ENGINE);
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
        MemEngine.reset(ENGINE);
    }

    @Test
    void eachConflictCountsAsOneRetry() {
        a.keyValue().put("n", "0");
        AtomicInteger calls = new AtomicInteger();
        UpdateResult r =
                a.keyValue()
                        .updateString(
                                "n",
                                old -> {
                                    if (calls.incrementAndGet() <= 2) {
                                        b.keyValue().put("n", "100"); // another writer wins, twice
                                    }
                                    return String.valueOf(Integer.parseInt(old) + 1);
                                });
        assertThat(r.retries()).isEqualTo(2);
        assertThat(calls).hasValue(3);
        assertThat(r.written().asString()).isEqualTo("101");
    }

    @Test
    void anAbsentKeyIsPassedAsNullAndCreated() {
        UpdateResult r =
                a.keyValue().updateString("fresh", old -> old == null ? "created" : "existed");
        assertThat(r.retries()).isZero();
        assertThat(r.written().asString()).isEqualTo("created");
        assertThat(b.keyValue().get("fresh").orElseThrow()).isEqualTo(r.written());
    }

    @Test
    void givingUpAfterMaxAttemptsIsReported() {
        a.keyValue().put("busy", "0");
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(
                        () ->
                                a.keyValue()
                                        .update(
                                                "busy",
                                                old -> {
                                                    b.keyValue()
                                                            .put(
                                                                    "busy",
                                                                    "x" + calls.incrementAndGet());
                                                    return old;
                                                },
                                                3))
                .isInstanceOfSatisfying(
                        UpdateConflictException.class,
                        e -> {
                            assertThat(e.key()).isEqualTo("busy");
                            assertThat(e.attempts()).isEqualTo(3);
                        })
                .hasMessageContaining("update of \"busy\" gave up after 3 attempts");
        assertThat(calls).hasValue(3);
    }

    @Test
    void aFunctionReturningNullIsRejected() {
        assertThatThrownBy(() -> a.keyValue().update("k", old -> null))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("update function for \"k\" returned null");
        assertThat(a.keyValue().get("k")).isEmpty();
    }

    @Test
    void aStringFunctionReturningNullIsRejectedTheSameWayNotWithANullPointerException() {
        assertThatThrownBy(() -> a.keyValue().updateString("s", old -> null))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("update function for \"s\" returned null");
        assertThat(a.keyValue().get("s")).isEmpty();
    }
}
