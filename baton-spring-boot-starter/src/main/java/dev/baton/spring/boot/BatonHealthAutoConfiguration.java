package dev.baton.spring.boot;

import dev.baton.Baton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * The {@code baton} health indicator on Boot 4, whose health API lives in {@code
 * org.springframework.boot.health}. Off unless {@code management.health.baton.enabled=true}, like
 * resilience4j's: an application that points its load balancer at {@code /actuator/health} must not
 * have every instance taken out when the lock engine hiccups; enabling it is a choice.
 */
@AutoConfiguration(after = BatonAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.AbstractHealthIndicator")
@ConditionalOnBean(Baton.class)
@ConditionalOnProperty(prefix = "management.health.baton", name = "enabled", havingValue = "true")
public class BatonHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "batonHealthIndicator")
    BatonHealthIndicator batonHealthIndicator(Baton baton) {
        return new BatonHealthIndicator(baton);
    }
}
