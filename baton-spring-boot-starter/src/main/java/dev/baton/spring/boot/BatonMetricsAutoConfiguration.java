package dev.baton.spring.boot;

import dev.baton.Baton;
import dev.baton.spring.BatonLeadership;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Baton's Micrometer meters ({@link BatonMetrics}) when Micrometer is present. The meters are a
 * {@code MeterBinder}: Boot binds them to its registry, so no ordering against Boot's metrics
 * auto-configuration (whose class moved between Boot 3 and 4) is needed.
 */
@AutoConfiguration(before = BatonAutoConfiguration.class)
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnProperty(prefix = "baton", name = "enabled", matchIfMissing = true)
public class BatonMetricsAutoConfiguration {

    @Bean
    BatonMetrics batonMetrics(
            ObjectProvider<Baton> baton, ObjectProvider<BatonLeadership> leadership) {
        return new BatonMetrics(baton, leadership);
    }
}
