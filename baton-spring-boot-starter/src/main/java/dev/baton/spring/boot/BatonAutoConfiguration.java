package dev.baton.spring.boot;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.LeaseListener;
import dev.baton.spring.BatonLeadership;
import dev.baton.spring.LeaderOnlyAdvisor;
import dev.baton.spring.LockedAdvisor;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.config.AopConfigUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Role;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

/**
 * The Baton client from {@code baton.*}, closed when the application stops (its leases released),
 * and the advice behind {@code @Locked} and {@code @LeaderOnly}.
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = "baton", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(BatonProperties.class)
@Import(BatonAutoConfiguration.ProxyRegistrar.class)
public class BatonAutoConfiguration {
    private static final Logger log = LoggerFactory.getLogger(BatonAutoConfiguration.class);

    /**
     * Outside {@code @Transactional} ({@link Ordered#LOWEST_PRECEDENCE} unless set otherwise), with
     * room for the application's own advice in between.
     */
    public static final int DEFAULT_ADVICE_ORDER = Ordered.LOWEST_PRECEDENCE - 1000;

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Baton baton(BatonProperties properties, ObjectProvider<LeaseListener> listeners) {
        BatonConfig.Builder config = BatonConfig.custom();
        if (properties.getLeaseTtl() != null) {
            config.leaseTtl(properties.getLeaseTtl());
        }
        if (properties.getSafetyMargin() != null) {
            config.safetyMargin(properties.getSafetyMargin());
        }
        if (properties.getConnectTimeout() != null) {
            config.connectTimeout(properties.getConnectTimeout());
        }
        if (properties.getNamespace() != null) {
            config.namespace(properties.getNamespace());
        }
        if (properties.getClientName() != null) {
            config.clientName(properties.getClientName());
        }
        List<LeaseListener> all = listeners.orderedStream().toList();
        if (!all.isEmpty()) {
            config.leaseListener(all.size() == 1 ? all.get(0) : new CompositeLeaseListener(all));
        }
        String uri = properties.getConnect();
        if (uri != null && uri.startsWith("embedded")) {
            log.warn(
                    "baton.connect is {}: an in-process, single-node ZooKeeper for development;"
                            + " set baton.connect to your ZooKeeper ensemble or Redis in production",
                    uri);
        }
        return Baton.connect(uri, config.build());
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static LockedAdvisor batonLockedAdvisor(ObjectProvider<Baton> baton, Environment env) {
        Binder binder = Binder.get(env);
        Duration wait =
                binder.bind("baton.locked.wait", Duration.class).orElse(Duration.ofSeconds(30));
        int order = binder.bind("baton.locked.order", Integer.class).orElse(DEFAULT_ADVICE_ORDER);
        return new LockedAdvisor(baton::getObject, env, wait, order);
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static LeaderOnlyAdvisor batonLeaderOnlyAdvisor(
            ObjectProvider<BatonLeadership> leadership, Environment env) {
        Binder binder = Binder.get(env);
        String election =
                binder.bind("baton.leader.election", String.class)
                        .orElseGet(
                                () ->
                                        "leader/"
                                                + env.getProperty(
                                                        "spring.application.name", "application"));
        int order = binder.bind("baton.locked.order", Integer.class).orElse(DEFAULT_ADVICE_ORDER);
        return new LeaderOnlyAdvisor(leadership::getObject, election, order);
    }

    @Bean
    @ConditionalOnMissingBean
    public BatonLeadership batonLeadership(
            Baton baton, ApplicationEventPublisher events, LeaderOnlyAdvisor leaderOnly) {
        return new BatonLeadership(baton, events, leaderOnly.elections());
    }

    /**
     * Makes sure an auto-proxy creator applies the advisors above, even in an application without
     * {@code spring-boot-starter-aspectj} or transactions; proxies classes (not only interfaces)
     * unless {@code spring.aop.proxy-target-class=false}, as Boot does.
     */
    static class ProxyRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {
        private Environment env;

        @Override
        public void setEnvironment(Environment environment) {
            this.env = environment;
        }

        @Override
        public void registerBeanDefinitions(
                AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
            AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
            if (env.getProperty("spring.aop.proxy-target-class", Boolean.class, true)) {
                AopConfigUtils.forceAutoProxyCreatorToUseClassProxying(registry);
            }
        }
    }
}
