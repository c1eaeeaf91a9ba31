package dev.baton.spring.boot3;

import dev.baton.Baton;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * Boot 3's health indicator {@code baton}: DOWN when the engine does not answer a read; UP
 * otherwise, with the leases held and in doubt. Not in the readiness group unless the application
 * puts it there: a lock engine's hiccup must not take every instance out of the load balancer.
 */
class Boot3BatonHealthIndicator extends AbstractHealthIndicator {
    private final Baton baton;

    Boot3BatonHealthIndicator(Baton baton) {
        super("Baton health check failed");
        this.baton = baton;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.withDetails(BatonHealthCheck.check(baton)).up();
    }
}
