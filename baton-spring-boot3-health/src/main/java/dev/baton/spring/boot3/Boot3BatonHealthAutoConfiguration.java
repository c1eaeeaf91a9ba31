package dev.baton.spring.boot3;

import dev.baton.Baton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * The {@code baton} health indicator on Boot 3, whose health API lives in {@code
 * org.springframework.boot.actuate.health} (Boot 4 has none there, so this stays off). Off unless
 * {@code management.health.baton.enabled=true}: see the starter's health indicator for why.
 */
@AutoConfiguration(afterName = "dev.baton.spring.boot.BatonAutoConfiguration")
@ConditionalOnClass(name = "org.springframework.boot.actuate.health.AbstractHealthIndicator")
@ConditionalOnBean(Baton.class)
@ConditionalOnProperty(prefix = "management.health.baton", name = "enabled", havingValue = "true")
public class Boot3BatonHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "batonHealthIndicator")
    Boot3BatonHealthIndicator batonHealthIndicator(Baton baton) {
        return new Boot3BatonHealthIndicator(baton);
    }
}
