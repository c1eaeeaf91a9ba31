package dev.baton.spring.boot;

import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.LockSnapshot;
import dev.baton.spring.BatonLeadership;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/baton}: this instance's leases (name, kind, token, state, time left), the
 * elections it leads, and the engine's locks under this client's namespace.
 */
@Endpoint(id = "baton")
public class BatonEndpoint {
    private final Baton baton;
    private final ObjectProvider<BatonLeadership> leadership;

    BatonEndpoint(Baton baton, ObjectProvider<BatonLeadership> leadership) {
        this.baton = baton;
        this.leadership = leadership;
    }

    /** One lease of this instance. */
    public record LeaseView(
            String name, String kind, int permits, long token, String state, long remainingMs) {
        static LeaseView of(FencedLease l) {
            return new LeaseView(
                    l.name(),
                    l.kind().name(),
                    l.permits(),
                    l.fencingToken(),
                    l.state().name(),
                    l.remaining().toMillis());
        }
    }

    /** One holder of a lock, as the engine sees it. */
    public record HolderView(String client, String kind, int permits, long token, String since) {
        static HolderView of(LockSnapshot.Holder h) {
            return new HolderView(
                    h.clientId(),
                    h.kind().name(),
                    h.permits(),
                    h.fencingToken(),
                    h.since() == null ? null : h.since().toString());
        }
    }

    /** One lock as the engine sees it. */
    public record LockView(String name, List<HolderView> holders, int waiters) {
        static LockView of(LockSnapshot s) {
            return new LockView(
                    s.name(), s.holders().stream().map(HolderView::of).toList(), s.waiters());
        }
    }

    /** The whole report. */
    public record Report(
            String client,
            String uri,
            List<LeaseView> leases,
            Set<String> leading,
            List<LockView> locks) {}

    @ReadOperation
    public Report report() {
        List<LeaseView> leases =
                baton.leases().stream()
                        .map(LeaseView::of)
                        .sorted(Comparator.comparing(LeaseView::name))
                        .toList();
        BatonLeadership l = leadership.getIfAvailable();
        Set<String> leading =
                l == null
                        ? Set.of()
                        : new java.util.TreeSet<>(
                                l.elections().stream().filter(l::isLeader).toList());
        List<LockView> locks = baton.locks("").stream().map(LockView::of).toList();
        return new Report(baton.clientId(), baton.uri(), leases, leading, locks);
    }
}
