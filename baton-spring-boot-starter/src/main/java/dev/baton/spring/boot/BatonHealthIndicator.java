package dev.baton.spring.boot;

import dev.baton.Baton;
import dev.baton.spring.boot3.BatonHealthCheck;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Boot 4's health indicator {@code baton}: DOWN when the engine does not answer a read; UP
 * otherwise, with the leases held and in doubt ({@link BatonHealthCheck}, shared with Boot 3's).
 * Not in the readiness group unless the application puts it there: a lock engine's hiccup must not
 * take every instance out of the load balancer.
 */
class BatonHealthIndicator extends AbstractHealthIndicator {
    private final Baton baton;

    BatonHealthIndicator(Baton baton) {
        super("Baton health check failed");
        this.baton = baton;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.withDetails(BatonHealthCheck.check(baton)).up();
    }
}
