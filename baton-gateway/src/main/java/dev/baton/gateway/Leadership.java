package dev.baton.gateway;

import dev.baton.Baton;
import dev.baton.Candidacy;
import dev.baton.FencedLease;
import dev.baton.LeaseKind;
import dev.baton.LeaseLoss;
import dev.baton.LeaseState;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An acquire of kind {@code leadership}: a leadership lease of the library's election, which the
 * public API offers only as {@link dev.baton.Election#join}, a candidacy whose task runs while it
 * leads. One candidacy per request: its task hands the lease to the request's future and then holds
 * it (blocked) until the lease is released or lost; the candidacy is closed as soon as it leads
 * once, fails or is withdrawn, so it never queues again by itself.
 *
 * <p>Costs a thread per waiting or leading candidate (the library's candidate thread); the engine's
 * queue is the same FIFO queue of kind LEADERSHIP as for a library candidate.
 */
final class Leadership {
    private Leadership() {}

    /**
     * Joins the election of {@code name}; the future completes with the lease when this candidate
     * leads, or with 409 busy after {@code wait}. Cancelling it withdraws the candidate.
     */
    static CompletableFuture<FencedLease> acquire(Baton baton, String name, Duration wait) {
        CompletableFuture<FencedLease> f = new CompletableFuture<>();
        CompletableFuture<Candidacy> candidacy = new CompletableFuture<>();
        Candidacy c =
                baton.election(name)
                        .join(
                                lease -> {
                                    CountDownLatch held = new CountDownLatch(1);
                                    try {
                                        if (f.complete(new Lease(lease, candidacy))) {
                                            held.await(); // until release or loss interrupts
                                        }
                                    } finally {
                                        candidacy.thenAccept(Candidacy::close);
                                    }
                                });
        candidacy.complete(c);
        CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS)
                .execute(
                        () ->
                                f.completeExceptionally(
                                        new ApiException(
                                                409,
                                                "busy",
                                                "\""
                                                        + name
                                                        + "\" has another leader after "
                                                        + DurationText.format(wait))));
        f.whenComplete(
                (lease, failure) -> {
                    if (failure != null) {
                        c.close(); // withdrawn, timed out or the session ended
                    }
                });
        return f;
    }

    /** The leadership lease, whose release ends the candidacy (which releases it). */
    private record Lease(FencedLease lease, CompletableFuture<Candidacy> candidacy)
            implements FencedLease {
        @Override
        public boolean release() {
            boolean held = !lease.state().isFinal();
            candidacy.thenAccept(Candidacy::close);
            return held;
        }

        @Override
        public long fencingToken() {
            return lease.fencingToken();
        }

        @Override
        public String name() {
            return lease.name();
        }

        @Override
        public LeaseKind kind() {
            return lease.kind();
        }

        @Override
        public int permits() {
            return lease.permits();
        }

        @Override
        public String holder() {
            return lease.holder();
        }

        @Override
        public Instant grantedAt() {
            return lease.grantedAt();
        }

        @Override
        public LeaseState state() {
            return lease.state();
        }

        @Override
        public Duration remaining() {
            return lease.remaining();
        }

        @Override
        public void ensureValid() {
            lease.ensureValid();
        }

        @Override
        public CompletionStage<LeaseLoss> lost() {
            return lease.lost();
        }
    }
}
