package dev.baton.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.LeaseLostException;
import dev.baton.mem.MemEngine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

/**
 * {@code @LeaderOnly}: of two instances of one application (two Baton clients on one engine), the
 * job runs on the leader only; it moves, with a larger token, when the leader stops or loses its
 * lease, and a run in progress is interrupted by the loss.
 */
class LeaderOnlyTest {
    private static final Duration TTL = Duration.ofSeconds(2);

    /** What the job and the events saw; not advised. */
    public static class Probe {
        final List<Object> events = new CopyOnWriteArrayList<>();
        volatile CountDownLatch entered = new CountDownLatch(1);
        volatile CountDownLatch proceed = new CountDownLatch(0);
    }

    public static class Job {
        private final Probe probe;

        public Job(Probe probe) {
            this.probe = probe;
        }

        /** Returns the leadership token it ran under; null where it did not run. */
        @LeaderOnly("settlement")
        public Long settle() throws InterruptedException {
            long token = BatonLocks.current().orElseThrow().fencingToken();
            probe.entered.countDown();
            probe.proceed.await();
            return token;
        }

        @EventListener
        public void on(LeadershipGranted e) {
            probe.events.add("granted " + e.election() + " " + e.leadership().fencingToken());
        }

        @EventListener
        public void on(LeadershipRevoked e) {
            probe.events.add("revoked " + e.election() + " " + e.token());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
        @Bean
        Probe probe() {
            return new Probe();
        }

        @Bean
        Job job(Probe probe) {
            return new Job(probe);
        }
    }

    private final String uri = Apps.memUri();
    private final List<ConfigurableApplicationContext> apps = new CopyOnWriteArrayList<>();

    private ConfigurableApplicationContext instance() {
        ConfigurableApplicationContext app =
                Apps.start(
                        App.class,
                        "baton.connect=" + uri,
                        "baton.lease-ttl=" + TTL.toMillis() + "ms");
        apps.add(app);
        return app;
    }

    @AfterEach
    void stop() {
        apps.forEach(ConfigurableApplicationContext::close);
        MemEngine.reset(uri.substring("mem:".length()));
    }

    private static ConfigurableApplicationContext leaderOf(
            List<ConfigurableApplicationContext> candidates) {
        return candidates.stream()
                .filter(a -> a.getBean(BatonLeadership.class).isLeader("settlement"))
                .findFirst()
                .orElse(null);
    }

    @Test
    void runsOnTheLeaderOnlyAndMovesWithALargerTokenWhenTheLeaderStops() throws Exception {
        List<ConfigurableApplicationContext> both = List.of(instance(), instance());
        await().atMost(Duration.ofSeconds(10)).until(() -> leaderOf(both) != null);
        ConfigurableApplicationContext leader = leaderOf(both);
        ConfigurableApplicationContext follower = both.get(both.get(0) == leader ? 1 : 0);

        Long first = leader.getBean(Job.class).settle();
        assertThat(first).isNotNull();
        assertThat(follower.getBean(Job.class).settle()).as("not run on the follower").isNull();
        assertThat(leader.getBean(Job.class).settle()).as("same term, same token").isEqualTo(first);
        Probe probe = leader.getBean(Probe.class);
        assertThat(probe.events).containsExactly("granted settlement " + first);

        leader.close();
        assertThat(probe.events)
                .containsExactly("granted settlement " + first, "revoked settlement " + first);
        await().atMost(TTL.plusSeconds(2))
                .until(() -> follower.getBean(BatonLeadership.class).isLeader("settlement"));
        Long second = follower.getBean(Job.class).settle();
        assertThat(second).isGreaterThan(first);
    }

    @Test
    void aRunInProgressIsInterruptedWhenLeadershipIsLostAndAnotherTakesOver() throws Exception {
        List<ConfigurableApplicationContext> both = List.of(instance(), instance());
        await().atMost(Duration.ofSeconds(10)).until(() -> leaderOf(both) != null);
        ConfigurableApplicationContext leader = leaderOf(both);
        ConfigurableApplicationContext follower = both.get(both.get(0) == leader ? 1 : 0);
        Probe probe = leader.getBean(Probe.class);
        probe.proceed = new CountDownLatch(1); // only an interrupt ends the run
        CompletableFuture<Long> run =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return leader.getBean(Job.class).settle();
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        });
        assertThat(probe.entered.await(10, TimeUnit.SECONDS)).isTrue();

        Baton leaderClient = leader.getBean(Baton.class);
        MemEngine.named(uri.substring("mem:".length())).expire(leaderClient.clientId());

        assertThatThrownBy(() -> run.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(LeaseLostException.class)
                .hasMessageContaining("settlement");
        await().atMost(TTL.plusSeconds(2))
                .until(() -> follower.getBean(BatonLeadership.class).isLeader("settlement"));
    }

    @Test
    void stoppingTheLeaderInterruptsARunBeforeGivingUpLeadership() throws Exception {
        List<ConfigurableApplicationContext> both = List.of(instance(), instance());
        await().atMost(Duration.ofSeconds(10)).until(() -> leaderOf(both) != null);
        ConfigurableApplicationContext leader = leaderOf(both);
        ConfigurableApplicationContext follower = both.get(both.get(0) == leader ? 1 : 0);
        Probe probe = leader.getBean(Probe.class);
        probe.proceed = new CountDownLatch(1); // only an interrupt ends the run
        Job job = leader.getBean(Job.class);
        CompletableFuture<Long> run =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return job.settle();
                            } catch (InterruptedException e) {
                                throw new IllegalStateException("interrupted", e);
                            }
                        });
        assertThat(probe.entered.await(10, TimeUnit.SECONDS)).isTrue();

        leader.close(); // returns once the run has ended, before a successor can be elected

        assertThat(run).isCompletedExceptionally();
        assertThatThrownBy(() -> run.get(1, TimeUnit.SECONDS))
                .cause()
                .hasMessageContaining("interrupted");
        await().atMost(TTL.plusSeconds(2))
                .until(() -> follower.getBean(BatonLeadership.class).isLeader("settlement"));
    }

    public static class DefaultElectionJob {
        @LeaderOnly
        public void run() {}
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class DefaultElectionApp {
        @Bean
        DefaultElectionJob job() {
            return new DefaultElectionJob();
        }
    }

    @Test
    void anApplicationNameThatMakesNoElectionNameMattersOnlyWhereItIsUsed() {
        String name = "spring.application.name=Order Service";
        try (ConfigurableApplicationContext app =
                Apps.start(App.class, "baton.connect=" + uri, name)) {
            assertThat(app.getBean(BatonLeadership.class).elections())
                    .containsExactly("settlement");
        }
        Throwable failure =
                org.assertj.core.api.Assertions.catchThrowable(
                        () -> Apps.start(DefaultElectionApp.class, "baton.connect=" + uri, name));
        Throwable declared = failure;
        while (declared != null && !(declared instanceof InvalidLockedMethodException)) {
            declared = declared.getCause();
        }
        assertThat(declared)
                .as("startup fails on the method that uses the default")
                .isInstanceOf(InvalidLockedMethodException.class)
                .hasMessageContaining("DefaultElectionJob.run")
                .hasMessageContaining("leader/Order Service")
                .hasMessageContaining("baton.leader.election");
    }
}
