package dev.baton.spring.boot;

import dev.baton.Baton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code baton} health indicator on Boot 4, whose health API lives in {@code
 * org.springframework.boot.health}. ({@code management.health.baton.enabled=false} turns it off.)
 */
@AutoConfiguration(after = BatonAutoConfiguration.class)
@ConditionalOnClass(
        name =
                "org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator")
@ConditionalOnBean(Baton.class)
@ConditionalOnEnabledHealthIndicator("baton")
public class BatonHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "batonHealthIndicator")
    BatonHealthIndicator batonHealthIndicator(Baton baton) {
        return new BatonHealthIndicator(baton);
    }
}
