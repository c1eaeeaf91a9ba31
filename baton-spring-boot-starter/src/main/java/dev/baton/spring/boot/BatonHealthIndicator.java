package dev.baton.spring.boot;

import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.LeaseState;
import java.util.List;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Boot 4's health indicator {@code baton}: DOWN when the engine does not answer a read; UP
 * otherwise, with the leases held and in doubt. Not in the readiness group unless the application
 * puts it there: a lock engine's hiccup must not take every instance out of the load balancer.
 */
class BatonHealthIndicator extends AbstractHealthIndicator {
    private final Baton baton;

    BatonHealthIndicator(Baton baton) {
        super("Baton health check failed");
        this.baton = baton;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        List<FencedLease> leases = baton.leases();
        long inDoubt = leases.stream().filter(l -> l.state() == LeaseState.IN_DOUBT).count();
        builder.withDetail("uri", baton.uri())
                .withDetail("client", baton.clientId())
                .withDetail("leases", leases.size())
                .withDetail("inDoubt", inDoubt);
        baton.inspect(HealthProbe.NAME); // a round trip; throws if the engine is unreachable
        builder.up();
    }
}
