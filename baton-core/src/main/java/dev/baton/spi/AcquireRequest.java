package dev.baton.spi;

import dev.baton.LeaseKind;

/**
 * One acquisition. <b>Internal.</b>
 *
 * @param name validated primitive name
 * @param kind which primitive; backends keep each kind in its own part of the engine, so that a
 *     mutex and a semaphore of the same name are unrelated
 * @param permits permits requested (1 except for semaphores)
 * @param limit permits available in total (1 for MUTEX, WRITE and LEADERSHIP; the semaphore size;
 *     unused for READ)
 * @param tryOnce if true, the backend completes the future exceptionally with {@link
 *     NotAcquiredException} when the request cannot be granted at once, without queueing
 */
public record AcquireRequest(
        String name, LeaseKind kind, int permits, int limit, boolean tryOnce) {}
