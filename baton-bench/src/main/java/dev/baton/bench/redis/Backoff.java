package dev.baton.bench.redis;

import dev.baton.LockInterruptedException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Polling for systems that only try once (ShedLock, the raw {@code SET NX} floor): retry with a
 * jittered exponential pause from {@value #FIRST_MICROS} µs up to {@value #MAX_MICROS} µs until the
 * attempt succeeds or {@code timeout} passes. Jitter keeps waiters of one key from retrying in
 * lockstep; the cap bounds how late a waiter notices a release.
 */
final class Backoff {
    static final long FIRST_MICROS = 500;
    static final long MAX_MICROS = 8_000;

    private Backoff() {}

    /** The first non-null result of {@code attempt}, or null once {@code timeout} has passed. */
    static <T> T poll(String key, Duration timeout, Supplier<T> attempt) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_MICROS;
        while (true) {
            T got = attempt.get();
            if (got != null) {
                return got;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            long micros = ThreadLocalRandom.current().nextLong(pause / 2, pause + 1);
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MICROSECONDS.toNanos(micros)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LockInterruptedException(key);
            }
            pause = Math.min(MAX_MICROS, pause * 2);
        }
    }
}
