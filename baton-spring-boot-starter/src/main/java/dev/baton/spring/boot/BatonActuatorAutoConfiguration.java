package dev.baton.spring.boot;

import dev.baton.Baton;
import dev.baton.spring.BatonLeadership;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code /actuator/baton} endpoint, where Actuator is present (same API in Boot 3 and 4). */
@AutoConfiguration(after = BatonAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBean(Baton.class)
public class BatonActuatorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    BatonEndpoint batonEndpoint(Baton baton, ObjectProvider<BatonLeadership> leadership) {
        return new BatonEndpoint(baton, leadership);
    }
}
