package dev.baton.spring.boot;

import dev.baton.Lease;
import dev.baton.LeaseKind;
import dev.baton.LeaseListener;
import dev.baton.LeaseLoss;
import java.time.Duration;
import java.util.List;

/**
 * Hands every event to each {@link LeaseListener} bean, in bean order. Baton delivers events one at
 * a time on its callback executor, so this adds no concurrency; a listener that throws is logged by
 * Baton, and the ones after it miss that event only.
 */
record CompositeLeaseListener(List<LeaseListener> listeners) implements LeaseListener {

    @Override
    public void granted(Lease lease, Duration waited) {
        listeners.forEach(l -> l.granted(lease, waited));
    }

    @Override
    public void refused(String name, LeaseKind kind, Refusal refusal, Duration waited) {
        listeners.forEach(l -> l.refused(name, kind, refusal, waited));
    }

    @Override
    public void renewed(int leases, Duration roundTrip) {
        listeners.forEach(l -> l.renewed(leases, roundTrip));
    }

    @Override
    public void inDoubt(Lease lease) {
        listeners.forEach(l -> l.inDoubt(lease));
    }

    @Override
    public void confirmed(Lease lease) {
        listeners.forEach(l -> l.confirmed(lease));
    }

    @Override
    public void lost(Lease lease, LeaseLoss loss) {
        listeners.forEach(l -> l.lost(lease, loss));
    }

    @Override
    public void released(Lease lease) {
        listeners.forEach(l -> l.released(lease));
    }
}
