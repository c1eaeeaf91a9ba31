package dev.baton.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The two generations of {@link KeyCache}: what is kept, what is built again, the bound. */
class KeyCacheTest {
    private final AtomicInteger builds = new AtomicInteger();
    private final KeyCache<String> cache =
            new KeyCache<>(
                    3,
                    name -> {
                        builds.incrementAndGet();
                        return "keys of " + name;
                    });

    @Test
    void buildsANameOnceAndReturnsTheSameValueAfterwards() {
        String first = cache.get("a");
        assertThat(cache.get("a")).isSameAs(first).isEqualTo("keys of a");
        assertThat(builds).hasValue(1);
    }

    @Test
    void keepsANameUsedWithinTheLastGenerationAndDropsOlderOnes() {
        cache.get("a");
        cache.get("b");
        cache.get("c"); // the young generation is full: a, b, c become the old one
        cache.get("d");
        assertThat(builds).hasValue(4);
        cache.get("a"); // found in the old generation, moved to the young one: not built
        assertThat(builds).hasValue(4);
        cache.get("e"); // young is full again (d, a, e): b and c go
        cache.get("b");
        assertThat(builds).hasValue(6);
    }

    @Test
    void holdsAtMostTwoGenerations() {
        for (int i = 0; i < 100; i++) {
            cache.get("n" + i);
        }
        assertThat(cache.size()).isLessThanOrEqualTo(6);
        assertThat(builds).hasValue(100);
    }

    @Test
    void rejectsAnEmptyGeneration() {
        assertThatThrownBy(() -> new KeyCache<String>(0, n -> n))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("generation");
    }
}
