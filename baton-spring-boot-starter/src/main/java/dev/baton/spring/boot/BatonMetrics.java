package dev.baton.spring.boot;

import dev.baton.Baton;
import dev.baton.Lease;
import dev.baton.LeaseKind;
import dev.baton.LeaseListener;
import dev.baton.LeaseLoss;
import dev.baton.spring.BatonLeadership;
import dev.baton.spring.LeadershipGranted;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;

/**
 * Baton's meters, fed by the lease events.
 *
 * <ul>
 *   <li>{@code baton.lock.acquire} (timer): how long acquisitions took; tags {@code kind} and
 *       {@code outcome} (acquired, timeout, busy, cancelled, failed); elections are not counted.
 *   <li>{@code baton.lease.held} (gauge): leases this instance holds now.
 *   <li>{@code baton.lease.lost} (counter): leases lost; tag {@code reason}.
 *   <li>{@code baton.lease.in_doubt} (counter): leases that went in doubt.
 *   <li>{@code baton.lease.renewal} (timer): round trip of confirmed renewal rounds.
 *   <li>{@code baton.election.leader} (gauge): 1 while this instance leads the election, else 0;
 *       tag {@code election}.
 * </ul>
 *
 * <p>Cardinality is bounded by design: a lock name is never a tag (10,000 names make the same
 * handful of series: 5 kinds × 5 outcomes, 4 loss reasons), and elections are the few the
 * application declares.
 *
 * <p>Threads: Baton calls the listener methods one at a time on a thread of the client's worker
 * pool (never an engine thread, never the callback executor; see {@link LeaseListener}); the
 * registry is set once when Micrometer binds this, and events before that are not counted.
 */
class BatonMetrics implements LeaseListener, MeterBinder {
    private final ObjectProvider<Baton> baton;
    private final ObjectProvider<BatonLeadership> leadership;
    private final Set<String> electionGauges = ConcurrentHashMap.newKeySet();
    private volatile MeterRegistry registry;

    BatonMetrics(ObjectProvider<Baton> baton, ObjectProvider<BatonLeadership> leadership) {
        this.baton = baton;
        this.leadership = leadership;
    }

    @Override
    public void bindTo(MeterRegistry meters) {
        Gauge.builder("baton.lease.held", this, BatonMetrics::held)
                .description("Leases this instance holds now")
                .register(meters);
        this.registry = meters;
    }

    private double held() {
        Baton b = baton.getIfAvailable();
        return b == null ? 0 : b.leases().size();
    }

    @EventListener(ApplicationReadyEvent.class)
    void ready() {
        BatonLeadership l = leadership.getIfAvailable();
        if (l != null) {
            l.elections().forEach(this::electionGauge);
        }
    }

    @EventListener
    void granted(LeadershipGranted event) {
        electionGauge(event.election());
    }

    private void electionGauge(String election) {
        MeterRegistry meters = registry;
        BatonLeadership l = leadership.getIfAvailable();
        if (meters == null || l == null || !electionGauges.add(election)) {
            return;
        }
        Gauge.builder("baton.election.leader", l, x -> x.isLeader(election) ? 1 : 0)
                .description("1 while this instance leads the election")
                .tag("election", election)
                .register(meters);
    }

    @Override
    public void granted(Lease lease, Duration waited) {
        acquire(lease.kind(), "acquired", waited);
    }

    @Override
    public void refused(String name, LeaseKind kind, Refusal refusal, Duration waited) {
        acquire(kind, refusal.name().toLowerCase(Locale.ROOT), waited);
    }

    private void acquire(LeaseKind kind, String outcome, Duration waited) {
        MeterRegistry meters = registry;
        // A candidate's wait for leadership is no lock acquisition: a follower waits for hours,
        // and every shutdown would count as cancelled. baton.election.leader shows elections.
        if (meters != null && kind != LeaseKind.LEADERSHIP) {
            Timer.builder("baton.lock.acquire")
                    .description("Time to acquire a lock, by outcome")
                    .tag("kind", kind.name().toLowerCase(Locale.ROOT))
                    .tag("outcome", outcome)
                    .register(meters)
                    .record(waited);
        }
    }

    @Override
    public void renewed(int leases, Duration roundTrip) {
        MeterRegistry meters = registry;
        if (meters != null) {
            Timer.builder("baton.lease.renewal")
                    .description("Round trip of a confirmed renewal round")
                    .register(meters)
                    .record(roundTrip);
        }
    }

    @Override
    public void inDoubt(Lease lease) {
        MeterRegistry meters = registry;
        if (meters != null) {
            Counter.builder("baton.lease.in_doubt")
                    .description("Leases that went in doubt (a renewal unanswered)")
                    .register(meters)
                    .increment();
        }
    }

    @Override
    public void lost(Lease lease, LeaseLoss loss) {
        MeterRegistry meters = registry;
        if (meters != null) {
            Counter.builder("baton.lease.lost")
                    .description("Leases lost, by reason")
                    .tag("reason", loss.reason().name().toLowerCase(Locale.ROOT))
                    .register(meters)
                    .increment();
        }
    }
}
