package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.Baton;
import dev.baton.KeyValueStore;
import dev.baton.UpdateResult;
import dev.baton.Versioned;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Versioned key/value: get, put, compare-and-set and delete with versions that never repeat,
 * optimistic updates that give the exact total, and exactly one winner among racing CASes.
 */
abstract class KeyValueContract extends ContractBase {

    @Test
    void keyValueGetPutCompareAndSetDelete() {
        Baton a = client();
        Baton b = client();
        KeyValueStore kv = a.keyValue();
        String key = name("config/x");
        assertThat(kv.get(key)).isEmpty();

        Versioned v1 = kv.put(key, "one");
        assertThat(v1.version()).isPositive();
        assertThat(b.keyValue().get(key)).contains(v1);
        assertThat(b.keyValue().get(key).orElseThrow().asString()).isEqualTo("one");

        Versioned v2 = kv.compareAndSet(key, v1.version(), "two").orElseThrow();
        assertThat(v2.version()).isGreaterThan(v1.version());
        assertThat(b.keyValue().compareAndSet(key, v1.version(), "stale")).isEmpty();
        assertThat(b.keyValue().compareAndSet(key, Versioned.ABSENT, "create")).isEmpty();
        assertThat(kv.get(key).orElseThrow().asString()).isEqualTo("two");

        assertThat(kv.delete(key, v1.version())).isFalse();
        assertThat(kv.delete(key, v2.version())).isTrue();
        assertThat(kv.get(key)).isEmpty();
        assertThat(kv.delete(key)).isFalse();

        // Re-created: the version keeps rising, so a CAS holding an old version cannot succeed.
        Versioned v3 = b.keyValue().compareAndSet(key, Versioned.ABSENT, "three").orElseThrow();
        assertThat(v3.version()).isGreaterThan(v2.version());
        assertThat(kv.compareAndSet(key, v1.version(), "aba")).isEmpty();
        assertThat(kv.compareAndSet(key, v2.version(), "aba")).isEmpty();
        assertThat(kv.delete(key)).isTrue();
        Versioned v4 = kv.put(key, "four");
        assertThat(v4.version()).isGreaterThan(v3.version());

        kv.put(name("config/y"), "y");
        kv.put(name("config/y/z"), "z");
        kv.put(name("configx"), "not under config");
        assertThat(kv.keys(name("config")))
                .containsExactly(name("config/x"), name("config/y"), name("config/y/z"));
    }

    @Test
    void concurrentUpdatesGiveTheExactTotal() {
        String key = name("counter");
        List<Baton> cs = List.of(client(), client(), client());
        AtomicInteger retries = new AtomicInteger();
        int threadCount = 9;
        int perThread = 20;
        concurrently(
                threadCount,
                i -> {
                    KeyValueStore kv = cs.get(i % cs.size()).keyValue();
                    for (int c = 0; c < perThread; c++) {
                        UpdateResult r =
                                kv.updateString(
                                        key,
                                        old ->
                                                String.valueOf(
                                                        old == null
                                                                ? 1
                                                                : Integer.parseInt(old) + 1));
                        assertThat(r.retries()).isNotNegative();
                        retries.addAndGet(r.retries());
                    }
                });
        Versioned last = cs.get(0).keyValue().get(key).orElseThrow();
        assertThat(last.asString()).isEqualTo(String.valueOf(threadCount * perThread));
        assertThat(retries.get()).isNotNegative();
    }

    @Test
    void updateReportsTheRetriesThatContentionCost() {
        String key = name("contended");
        Baton a = client();
        Baton b = client();
        a.keyValue().put(key, "0");
        AtomicInteger calls = new AtomicInteger();
        UpdateResult r =
                a.keyValue()
                        .updateString(
                                key,
                                old -> {
                                    if (calls.incrementAndGet() == 1) {
                                        b.keyValue().put(key, "10"); // another writer gets in first
                                    }
                                    return String.valueOf(Integer.parseInt(old) + 1);
                                });
        assertThat(r.retries()).isEqualTo(1);
        assertThat(r.written().asString()).isEqualTo("11");
        assertThat(a.keyValue().get(key).orElseThrow()).isEqualTo(r.written());
    }

    @Test
    void exactlyOneOfConcurrentCompareAndSetsWins() {
        String key = name("cas");
        List<Baton> cs = List.of(client(), client(), client());
        int racers = 6;
        for (int round = 0; round < 10; round++) {
            long expected =
                    cs.get(0).keyValue().get(key).map(Versioned::version).orElse(Versioned.ABSENT);
            List<String> winners = new CopyOnWriteArrayList<>();
            int r = round;
            concurrently(
                    racers,
                    i -> {
                        String value = "round" + r + "-racer" + i;
                        if (cs.get(i % cs.size())
                                .keyValue()
                                .compareAndSet(key, expected, value)
                                .isPresent()) {
                            winners.add(value);
                        }
                    });
            assertThat(winners).as("round %d", round).hasSize(1);
            assertThat(cs.get(1).keyValue().get(key).orElseThrow().asString())
                    .isEqualTo(winners.get(0));
        }
    }
}
