package dev.baton.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.mem.MemEngine;
import dev.baton.spring.Apps;
import dev.baton.spring.LeaderOnly;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Health, {@code /actuator/baton} and the meters, over real HTTP on a free port: what an operator
 * sees of an instance.
 */
class ActuatorTest {

    public static class Job {
        @LeaderOnly("reports")
        public void run() {}
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
        @Bean
        Job job() {
            return new Job();
        }
    }

    private final String uri = Apps.memUri();
    private final HttpClient http = HttpClient.newHttpClient();
    private ConfigurableApplicationContext app;
    private String base;

    @BeforeEach
    void start() {
        app =
                Apps.startWeb(
                        App.class,
                        "baton.connect=" + uri,
                        "baton.lease-ttl=2s",
                        "management.endpoints.web.exposure.include=health,baton,metrics",
                        "management.endpoint.health.show-details=always",
                        "management.health.baton.enabled=true",
                        "management.endpoint.health.probes.enabled=true");
        base =
                "http://127.0.0.1:"
                        + app.getBean(Environment.class).getProperty("local.server.port")
                        + "/actuator";
    }

    @AfterEach
    void stop() {
        app.close();
        MemEngine.reset(uri.substring("mem:".length()));
    }

    private Map<String, Object> get(String path, int status) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + " → " + r.body()).isEqualTo(status);
        return JsonParserFactory.getJsonParser().parseMap(r.body());
    }

    @SuppressWarnings("unchecked")
    private static <T> T at(Map<String, Object> json, String... path) {
        Object v = json;
        for (String p : path) {
            v = ((Map<String, Object>) v).get(p);
        }
        return (T) v;
    }

    @Test
    void endpointListsThisInstancesLeasesAndTheEnginesLocks() throws Exception {
        Baton baton = app.getBean(Baton.class);
        await().atMost(Duration.ofSeconds(10))
                .until(
                        () ->
                                app.getBean(dev.baton.spring.BatonLeadership.class)
                                        .isLeader("reports"));
        try (FencedLease lease = baton.mutex("orders/42").acquire(Duration.ofSeconds(5))) {
            Map<String, Object> report = get("/baton", 200);
            assertThat((String) at(report, "client")).isEqualTo(baton.clientId());
            List<Map<String, Object>> leases = at(report, "leases");
            assertThat(leases)
                    .anySatisfy(
                            l -> {
                                assertThat(l.get("name")).isEqualTo("orders/42");
                                assertThat(l.get("kind")).isEqualTo("MUTEX");
                                assertThat(((Number) l.get("token")).longValue())
                                        .isEqualTo(lease.fencingToken());
                                assertThat(l.get("state")).isEqualTo("HELD");
                                assertThat(((Number) l.get("remainingMs")).longValue())
                                        .isPositive();
                            });
            List<String> leading = at(report, "leading");
            assertThat(leading).containsExactly("reports");
            List<Map<String, Object>> locks = at(report, "locks");
            assertThat(locks).extracting(l -> l.get("name")).contains("orders/42", "reports");

            Map<String, Object> held = get("/metrics/baton.lease.held", 200);
            List<Map<String, Object>> measurements = at(held, "measurements");
            assertThat(((Number) measurements.get(0).get("value")).intValue())
                    .as("orders/42 and the leadership of reports")
                    .isEqualTo(2);
            Map<String, Object> leader = get("/metrics/baton.election.leader", 200);
            List<Map<String, Object>> leaderMeasurements = at(leader, "measurements");
            assertThat(((Number) leaderMeasurements.get(0).get("value")).intValue()).isEqualTo(1);
        }
    }

    @Test
    void healthIsDownWhenTheEngineIsUnreachableButReadinessIsNotTouched() throws Exception {
        Map<String, Object> health = get("/health", 200);
        assertThat((String) at(health, "components", "baton", "status")).isEqualTo("UP");
        Object readinessComponents = at(get("/health/readiness", 200), "components");
        assertThat(readinessComponents).isNull();

        MemEngine.named(uri.substring("mem:".length()))
                .partition(app.getBean(Baton.class).clientId());
        Map<String, Object> down = get("/health", 503);
        assertThat((String) at(down, "components", "baton", "status")).isEqualTo("DOWN");
        assertThat((String) at(get("/health/readiness", 200), "status")).isEqualTo("UP");
    }

    @Test
    void renewalsDoubtLossAndRefusalsAreCountedWithTheirTags() {
        Baton baton = app.getBean(Baton.class);
        MeterRegistry meters = app.getBean(MeterRegistry.class);
        FencedLease held = baton.mutex("meters/x").acquire(Duration.ofSeconds(5));
        assertThat(baton.mutex("meters/x").tryAcquire()).isEmpty(); // a second entry: busy
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () -> {
                            assertThat(timerCount(meters, "baton.lock.acquire", "acquired"))
                                    .isPositive();
                            assertThat(timerCount(meters, "baton.lock.acquire", "busy"))
                                    .isEqualTo(1);
                            assertThat(meters.find("baton.lease.renewal").timer())
                                    .isNotNull()
                                    .satisfies(t -> assertThat(t.count()).isPositive());
                        });

        MemEngine.named(uri.substring("mem:".length())).partition(baton.clientId());
        try {
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(
                            () -> {
                                assertThat(meters.find("baton.lease.in_doubt").counter())
                                        .isNotNull()
                                        .satisfies(c -> assertThat(c.count()).isPositive());
                                assertThat(
                                                meters.find("baton.lease.lost")
                                                        .tag("reason", "deadline_passed")
                                                        .counter())
                                        .isNotNull()
                                        .satisfies(
                                                c ->
                                                        assertThat(c.count())
                                                                .isGreaterThanOrEqualTo(1.0));
                            });
            assertThat(held.isHeld()).isFalse();
        } finally {
            MemEngine.named(uri.substring("mem:".length())).heal(baton.clientId());
        }
    }

    private static long timerCount(MeterRegistry meters, String name, String outcome) {
        return meters.find(name).tags("kind", "mutex", "outcome", outcome).timers().stream()
                .mapToLong(t -> t.count())
                .sum();
    }

    @Test
    void tenThousandLockNamesMakeAHandfulOfMeters() {
        Baton baton = app.getBean(Baton.class);
        for (int i = 0; i < 10_000; i++) {
            baton.mutex("orders/" + i).tryAcquire().ifPresent(FencedLease::release);
        }
        MeterRegistry meters = app.getBean(MeterRegistry.class);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () ->
                                assertThat(
                                                meters.find("baton.lock.acquire").timers().stream()
                                                        .mapToLong(t -> t.count())
                                                        .sum())
                                        .isGreaterThanOrEqualTo(10_000));
        assertThat(meters.find("baton.lock.acquire").timers())
                .as("one series per kind and outcome, none per name")
                .hasSizeLessThanOrEqualTo(4 * 5);
        assertThat(meters.getMeters().stream().filter(m -> m.getId().getName().startsWith("baton")))
                .hasSizeLessThan(30);
    }
}
