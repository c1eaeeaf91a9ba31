/**
 * The in-memory backend: {@link dev.baton.mem.MemEngine}, a coordination engine inside this JVM
 * with the semantics of a real one, reached with the URIs {@code mem} and {@code mem:name}.
 *
 * <p>Reading order: {@code MemEngine} (the engine lock, sessions, faults, and the requests that
 * clients send), then the state it guards with that one lock: {@code MemQueues} (lock queues,
 * tokens, grants), {@code MemKeyValue} (versioned keys), {@code MemWatches} (watches and their
 * events); {@code MemSession} (one client's session), {@code Outbox} (work handed to clients after
 * the lock); finally {@code MemBackend}, one client's connection, which implements the SPI.
 */
package dev.baton.mem;
