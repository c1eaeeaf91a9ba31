package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.LeaseKind;
import dev.baton.spi.GrantRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One table of grant-rule cases, checked against the pure rules ({@link GrantRules}, {@link
 * #checkRules}) and against every backend ({@link #checkEngine}, from the contract suite): a queue
 * built in a known order, and how many of its entries, from the head, must hold. Backends that
 * cannot call {@link GrantRules} (Redis's Lua scripts) are held to the same table through the
 * contract suite, so every engine grants by the same rules.
 */
public final class GrantRuleCases {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private GrantRuleCases() {}

    /** A request in a queue: a kind and its permits (1 except for semaphores). */
    public record Request(LeaseKind kind, int permits) implements GrantRules.Queued {}

    /**
     * A queue and what it must grant.
     *
     * @param limit the semaphore's size (1 for other kinds)
     * @param granted how many requests, from the head, hold once all are queued
     */
    public record Case(String title, List<Request> queue, int limit, int granted) {
        @Override
        public String toString() {
            return title;
        }
    }

    private static final Request M = new Request(LeaseKind.MUTEX, 1);
    private static final Request R = new Request(LeaseKind.READ, 1);
    private static final Request W = new Request(LeaseKind.WRITE, 1);

    private static Request sem(int permits) {
        return new Request(LeaseKind.SEMAPHORE, permits);
    }

    /** The table. Each case's queue holds one family; requests arrive in the order listed. */
    public static List<Case> cases() {
        return List.of(
                new Case("mutex: the first in line only", List.of(M, M, M), 1, 1),
                new Case("readers share", List.of(R, R, R), 1, 3),
                new Case("a writer first excludes later readers", List.of(W, R, R), 1, 1),
                new Case("a waiting writer holds back later readers", List.of(R, W, R), 1, 1),
                new Case("readers before a writer share", List.of(R, R, W, R), 1, 2),
                new Case("writers one at a time", List.of(W, W), 1, 1),
                new Case("semaphore: fits in order", List.of(sem(1), sem(1), sem(1), sem(1)), 3, 3),
                new Case(
                        "semaphore: a request that does not fit",
                        List.of(sem(1), sem(2), sem(1)),
                        3,
                        2),
                new Case(
                        "semaphore: a large request blocks later small ones",
                        List.of(sem(2), sem(2), sem(1)),
                        3,
                        1),
                new Case("semaphore: the whole size at once", List.of(sem(3), sem(1)), 3, 1));
    }

    /** Checks that the table's answer for {@code c} is what {@link GrantRules} computes. */
    public static void checkRules(Case c) {
        assertThat(GrantRules.grantedCount(c.queue(), c.limit()))
                .as("GrantRules on %s", c)
                .isEqualTo(c.granted());
    }

    /**
     * Checks that the engine behind {@code clients} grants exactly the first {@link Case#granted}
     * requests of {@code c}. Request {@code i} is sent by {@code clients.get(i % size)} once
     * request {@code i − 1} is in the engine, so the arrival order is the table's; every engine
     * decides a request's fate as it enters the queue, and nothing is released during a case, so
     * the holders are read once, when all are in. Leaves nothing behind.
     */
    public static void checkEngine(Case c, List<Baton> clients, String name) {
        List<CompletableFuture<FencedLease>> requests = new ArrayList<>();
        try {
            for (int i = 0; i < c.queue().size(); i++) {
                Baton client = clients.get(i % clients.size());
                requests.add(send(client, c.queue().get(i), c.limit(), name));
                int queued = i + 1;
                await("request " + queued + " of " + c + " in the engine")
                        .atMost(PATIENCE)
                        .until(() -> entries(client, name) == queued);
            }
            assertThat(clients.get(0).inspect(name).orElseThrow().holders())
                    .as("holders of %s", c)
                    .hasSize(c.granted());
            for (int i = 0; i < requests.size(); i++) {
                CompletableFuture<FencedLease> f = requests.get(i);
                if (i < c.granted()) {
                    await("request " + (i + 1) + " of " + c + " granted")
                            .atMost(PATIENCE)
                            .until(f::isDone);
                    assertThat(f)
                            .as("request %d of %s", i + 1, c)
                            .isCompletedWithValueMatching(FencedLease::isHeld);
                } else {
                    assertThat(f).as("request %d of %s waits", i + 1, c).isNotDone();
                }
            }
        } finally {
            for (CompletableFuture<FencedLease> f : requests) {
                f.cancel(false);
                if (f.isDone() && !f.isCompletedExceptionally()) {
                    f.join().release();
                }
            }
            await("nothing left of " + c)
                    .atMost(PATIENCE)
                    .until(() -> entries(clients.get(0), name) == 0);
        }
    }

    private static CompletableFuture<FencedLease> send(
            Baton client, Request r, int limit, String name) {
        return switch (r.kind()) {
            case MUTEX -> client.mutex(name).acquireAsync(PATIENCE.multipliedBy(4));
            case READ ->
                    client.readWriteLock(name).readLock().acquireAsync(PATIENCE.multipliedBy(4));
            case WRITE ->
                    client.readWriteLock(name).writeLock().acquireAsync(PATIENCE.multipliedBy(4));
            case SEMAPHORE ->
                    client.semaphore(name, limit)
                            .acquireAsync(r.permits(), PATIENCE.multipliedBy(4));
            default -> throw new IllegalArgumentException("no case for " + r.kind());
        };
    }

    private static int entries(Baton client, String name) {
        return client.inspect(name).map(s -> s.holders().size() + s.waiters()).orElse(0);
    }
}
