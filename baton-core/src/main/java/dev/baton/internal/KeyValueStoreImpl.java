package dev.baton.internal;

import dev.baton.InvalidArgumentException;
import dev.baton.KeyValueStore;
import dev.baton.LockInterruptedException;
import dev.baton.Names;
import dev.baton.UpdateConflictException;
import dev.baton.UpdateResult;
import dev.baton.Versioned;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** Argument checks and the optimistic update loop over a backend's versioned store. */
final class KeyValueStoreImpl implements KeyValueStore {
    /** Backoff before retry n is uniform in [0, min(CAP, BASE·2ⁿ)): jitter breaks lockstep. */
    private static final long BACKOFF_BASE_MICROS = 500;

    private static final long BACKOFF_CAP_MICROS = 50_000;

    private final BatonImpl baton;

    KeyValueStoreImpl(BatonImpl baton) {
        this.baton = baton;
    }

    @Override
    public Optional<Versioned> get(String key) {
        Names.validate(key);
        baton.ensureOpen();
        return baton.backend().get(key);
    }

    @Override
    public Versioned put(String key, byte[] value) {
        Names.validate(key);
        requireValue(key, value);
        baton.ensureOpen();
        return baton.backend().put(key, value);
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        Names.validate(key);
        requireValue(key, value);
        if (expectedVersion < 0) {
            throw InvalidArgumentException.mustBe(
                    "expectedVersion for \"" + key + "\"",
                    "0 (absent) or a version ≥ 1",
                    expectedVersion);
        }
        baton.ensureOpen();
        return baton.backend().compareAndSet(key, expectedVersion, value);
    }

    @Override
    public boolean delete(String key) {
        Names.validate(key);
        baton.ensureOpen();
        return baton.backend().delete(key, -1);
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        Names.validate(key);
        if (expectedVersion < 1) {
            throw InvalidArgumentException.mustBe(
                    "expectedVersion for \"" + key + "\"", "a version ≥ 1", expectedVersion);
        }
        baton.ensureOpen();
        return baton.backend().delete(key, expectedVersion);
    }

    @Override
    public List<String> keys(String prefix) {
        Names.validatePrefix(prefix);
        baton.ensureOpen();
        return baton.backend().keys(prefix);
    }

    @Override
    public UpdateResult update(String key, UnaryOperator<byte[]> fn, int maxAttempts) {
        Names.validate(key);
        if (fn == null) {
            throw InvalidArgumentException.mustBe(
                    "update function for \"" + key + "\"", "non-null", null);
        }
        if (maxAttempts < 1) {
            throw InvalidArgumentException.mustBe("maxAttempts", "at least 1", maxAttempts);
        }
        for (int attempt = 0; attempt < maxAttempts; attempt++) {
            if (attempt > 0) {
                backoff(key, attempt);
            }
            Optional<Versioned> current = get(key);
            byte[] next = fn.apply(current.map(Versioned::value).orElse(null));
            if (next == null) {
                throw new InvalidArgumentException(
                        "update function for \"" + key + "\" returned null; return the new value");
            }
            long expected = current.map(Versioned::version).orElse(Versioned.ABSENT);
            Optional<Versioned> written = baton.backend().compareAndSet(key, expected, next);
            if (written.isPresent()) {
                return new UpdateResult(written.get(), attempt);
            }
        }
        throw new UpdateConflictException(key, maxAttempts);
    }

    private static void requireValue(String key, byte[] value) {
        if (value == null) {
            throw InvalidArgumentException.mustBe("value for \"" + key + "\"", "non-null", null);
        }
    }

    private static void backoff(String key, int attempt) {
        long ceiling = Math.min(BACKOFF_CAP_MICROS, BACKOFF_BASE_MICROS << Math.min(attempt, 20));
        try {
            TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextLong(ceiling + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockInterruptedException(key);
        }
    }
}
