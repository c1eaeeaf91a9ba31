/**
 * The in-memory backend: {@link dev.baton.mem.MemEngine}, a coordination engine inside this JVM
 * with the semantics of a real one, reached with the URIs {@code mem} and {@code mem:name}.
 */
package dev.baton.mem;
