package dev.baton.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.InvalidArgumentException;
import dev.baton.InvalidUriException;
import dev.baton.Lease;
import dev.baton.LeaseListener;
import dev.baton.spring.Apps;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The Baton bean from {@code baton.*}: defaults, properties, bad values, shutdown. */
@ExtendWith(OutputCaptureExtension.class)
class BatonAutoConfigurationTest {

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {}

    @Test
    void defaultsToTheEmbeddedEngineWithAOneLineWarning(CapturedOutput output) {
        try (ConfigurableApplicationContext app = Apps.start(App.class)) {
            Baton baton = app.getBean(Baton.class);
            assertThat(baton.uri()).isEqualTo("embedded");
            try (FencedLease lease = baton.mutex("jobs/x").acquire(Duration.ofSeconds(5))) {
                assertThat(lease.fencingToken()).isPositive();
            }
        }
        assertThat(output.getOut())
                .contains("baton.connect is embedded: an in-process, single-node ZooKeeper");
    }

    @Test
    void takesItsSettingsFromBatonProperties(CapturedOutput output) {
        try (ConfigurableApplicationContext app =
                Apps.start(
                        App.class,
                        "baton.connect=" + Apps.memUri(),
                        "baton.lease-ttl=3s",
                        "baton.safety-margin=500ms",
                        "baton.connect-timeout=2s",
                        "baton.namespace=orders",
                        "baton.client-name=svc-a")) {
            Baton baton = app.getBean(Baton.class);
            assertThat(baton.config().leaseTtl()).isEqualTo(Duration.ofSeconds(3));
            assertThat(baton.config().safetyMargin()).isEqualTo(Duration.ofMillis(500));
            assertThat(baton.config().connectTimeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(baton.config().namespace()).contains("orders");
            assertThat(baton.clientId()).startsWith("svc-a");
        }
        assertThat(output.getOut()).doesNotContain("baton.connect is");
    }

    @Test
    void aBadValueStopsStartupNamingTheProperty() {
        assertThatThrownBy(() -> Apps.start(App.class, "baton.connect=mem:x", "baton.lease-ttl=0s"))
                .hasRootCauseInstanceOf(InvalidArgumentException.class)
                .rootCause()
                .hasMessageContaining("leaseTtl");
        assertThatThrownBy(() -> Apps.start(App.class, "baton.connect=bogus://h:1"))
                .hasRootCauseInstanceOf(InvalidUriException.class)
                .rootCause()
                .hasMessageContaining("bogus");
    }

    @Test
    void leasesAreReleasedWhenTheApplicationStops() {
        String uri = Apps.memUri();
        try (Baton other = Baton.connect(uri)) {
            ConfigurableApplicationContext app = Apps.start(App.class, "baton.connect=" + uri);
            FencedLease held =
                    app.getBean(Baton.class).mutex("shutdown").acquire(Duration.ofSeconds(5));
            assertThat(other.mutex("shutdown").tryAcquire()).isEmpty();
            app.close();
            assertThat(held.isHeld()).isFalse();
            assertThat(other.mutex("shutdown").tryAcquire())
                    .as("free at once, not after the lease TTL")
                    .isPresent();
        }
    }

    @Test
    void theHealthIndicatorIsOffUnlessEnabled() {
        try (ConfigurableApplicationContext app =
                Apps.start(App.class, "baton.connect=" + Apps.memUri())) {
            assertThat(app.containsBean("batonHealthIndicator")).isFalse();
        }
        try (ConfigurableApplicationContext app =
                Apps.start(
                        App.class,
                        "baton.connect=" + Apps.memUri(),
                        "management.health.baton.enabled=true")) {
            assertThat(app.containsBean("batonHealthIndicator")).isTrue();
        }
    }

    @Test
    void canBeTurnedOff() {
        try (ConfigurableApplicationContext app = Apps.start(App.class, "baton.enabled=false")) {
            assertThat(app.getBeansOfType(Baton.class)).isEmpty();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class WithOwnClient {
        static final String URI = Apps.memUri();

        @Bean(destroyMethod = "close")
        Baton myBaton() {
            return Baton.connect(URI);
        }
    }

    @Test
    void anApplicationsOwnClientWins() {
        try (ConfigurableApplicationContext app = Apps.start(WithOwnClient.class)) {
            assertThat(app.getBeansOfType(Baton.class)).containsOnlyKeys("myBaton");
            assertThat(app.getBean(Baton.class).uri()).isEqualTo(WithOwnClient.URI);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class WithListener {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Bean
        LeaseListener recorder() {
            return new LeaseListener() {
                @Override
                public void granted(Lease lease, Duration waited) {
                    seen.add("granted " + lease.name());
                }

                @Override
                public void released(Lease lease) {
                    seen.add("released " + lease.name());
                }
            };
        }
    }

    @Test
    void leaseListenerBeansHearTheClientsLeases() {
        try (ConfigurableApplicationContext app =
                Apps.start(WithListener.class, "baton.connect=" + Apps.memUri())) {
            app.getBean(Baton.class).mutex("heard").acquire(Duration.ofSeconds(5)).release();
            WithListener config = app.getBean(WithListener.class);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(
                            () ->
                                    assertThat(config.seen)
                                            .containsExactly("granted heard", "released heard"));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyPropertyIsDocumentedInTheGeneratedMetadata() throws Exception {
        String json;
        try (var in =
                BatonProperties.class
                        .getClassLoader()
                        .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
            json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        List<Object> properties =
                (List<Object>)
                        org.springframework.boot.json.JsonParserFactory.getJsonParser()
                                .parseMap(json)
                                .get("properties");
        java.util.Map<String, String> described = new java.util.TreeMap<>();
        for (Object o : properties) {
            java.util.Map<String, Object> p = (java.util.Map<String, Object>) o;
            described.put((String) p.get("name"), (String) p.get("description"));
        }
        assertThat(described)
                .containsKeys(
                        "baton.connect",
                        "baton.lease-ttl",
                        "baton.safety-margin",
                        "baton.connect-timeout",
                        "baton.namespace",
                        "baton.client-name",
                        "baton.locked.wait",
                        "baton.locked.order",
                        "baton.leader.election");
        described.forEach(
                (name, description) ->
                        assertThat(description).as(name + " has a description").isNotBlank());
    }
}
