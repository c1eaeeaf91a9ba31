package dev.baton.shedlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.SimpleLock;
import org.junit.jupiter.api.Test;

/** The fuzz checker can fail: it flags a provider that excludes nobody, and passes a real lock. */
class FuzzCheckerTest {

    /** Grants every request: the broken provider the checker must catch. */
    private static final LockProvider EXCLUDES_NOBODY = config -> Optional.of(() -> {});

    /** A correct in-JVM provider: one binary semaphore per name, tried once. */
    private static final class InJvmLockProvider implements LockProvider {
        private final Map<String, Semaphore> locks = new ConcurrentHashMap<>();

        @Override
        public Optional<SimpleLock> lock(LockConfiguration config) {
            Semaphore s = locks.computeIfAbsent(config.getName(), n -> new Semaphore(1));
            return s.tryAcquire() ? Optional.of(s::release) : Optional.empty();
        }
    }

    @Test
    void flagsAProviderThatExcludesNobody() throws InterruptedException {
        FuzzChecker.Result result = FuzzChecker.run(List.of(EXCLUDES_NOBODY), "broken", 8, 50);

        assertThat(result.exclusive()).isFalse();
        assertThatThrownBy(result::assertExclusive)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("did not exclude");
    }

    @Test
    void passesAProviderThatExcludes() throws InterruptedException {
        FuzzChecker.Result result =
                FuzzChecker.run(List.of(new InJvmLockProvider()), "in-jvm", 8, 50);

        result.assertExclusive();
        assertThat(result.sections()).isEqualTo(7 * 50 + 10);
    }
}
