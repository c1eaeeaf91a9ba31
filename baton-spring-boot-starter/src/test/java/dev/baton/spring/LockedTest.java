package dev.baton.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.InvalidNameException;
import dev.baton.LeaseLostException;
import dev.baton.LockTimeoutException;
import dev.baton.mem.MemEngine;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** {@code @Locked} on a bean: names, busy policies, the current lease, loss, startup checks. */
class LockedTest {

    /** What the locked sections saw; not advised, so the test reads it directly. */
    public static class Probe {
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger maxInside = new AtomicInteger();
        volatile CountDownLatch entered = new CountDownLatch(1);
        volatile CountDownLatch proceed = new CountDownLatch(0);
    }

    /** A bean with locked sections; each blocks on a latch when asked to, so overlap is visible. */
    public static class Orders {
        private final Probe probe;

        public Orders(Probe probe) {
            this.probe = probe;
        }

        public record Order(String id) {}

        @Locked("orders/#{#order.id}")
        public long settle(Order order) throws InterruptedException {
            int now = probe.inside.incrementAndGet();
            probe.maxInside.accumulateAndGet(now, Math::max);
            try {
                FencedLease lease = BatonLocks.current().orElseThrow();
                assertThat(lease.name()).isEqualTo("orders/" + order.id());
                probe.entered.countDown();
                probe.proceed.await();
                return lease.fencingToken();
            } finally {
                probe.inside.decrementAndGet();
            }
        }

        @Locked(name = "orders/#{#order.id}", onBusy = OnBusy.SKIP)
        public Optional<Long> settleIfFree(Order order) {
            return Optional.of(BatonLocks.current().orElseThrow().fencingToken());
        }

        @Locked(name = "orders/#{#order.id}", onBusy = OnBusy.FAIL)
        public void settleOrFail(Order order) {}

        @Locked(name = "orders/#{#order.id}", waitFor = "${test.wait:1s}")
        public void settleWithinASecond(Order order) {}

        @Locked("jobs/nightly")
        public String nightly(Orders self) {
            // Reentrant: the same name again on this thread runs under the same lease.
            return self.nested();
        }

        @Locked("jobs/nightly")
        public String nested() {
            return BatonLocks.current().orElseThrow().name();
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
        Orders orders(Probe probe) {
            return new Orders(probe);
        }
    }

    private String uri;
    private ConfigurableApplicationContext app;
    private Orders orders;
    private Probe probe;
    private Baton baton;

    @BeforeEach
    void start() {
        uri = Apps.memUri();
        app = Apps.start(App.class, "baton.connect=" + uri, "baton.lease-ttl=2s");
        orders = app.getBean(Orders.class);
        probe = app.getBean(Probe.class);
        baton = app.getBean(Baton.class);
    }

    @AfterEach
    void stop() {
        app.close();
        MemEngine.reset(uri.substring("mem:".length()));
    }

    @Test
    void oneCallerAtATimePerNameAndEachWithItsOwnToken() throws Exception {
        probe.proceed = new CountDownLatch(1);
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            Future<Long> first = callers.submit(() -> orders.settle(order("7")));
            assertThat(probe.entered.await(10, TimeUnit.SECONDS)).isTrue();
            Future<Long> second = callers.submit(() -> orders.settle(order("7")));
            // The second caller is queued in the engine behind the first, not merely late.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> baton.inspect("orders/7").map(s -> s.waiters()).orElse(0) == 1);
            assertThat(probe.inside.get()).isEqualTo(1);
            // Another name is not blocked by this one.
            assertThat(orders.settleIfFree(order("8"))).isPresent();
            assertThat(orders.settleIfFree(order("7"))).as("busy: skipped").isEmpty();
            assertThatThrownBy(() -> orders.settleOrFail(order("7")))
                    .isInstanceOf(LockTimeoutException.class)
                    .hasMessageContaining("orders/7");
            probe.proceed.countDown();
            long a = first.get(10, TimeUnit.SECONDS);
            long b = second.get(10, TimeUnit.SECONDS);
            assertThat(probe.maxInside.get()).isEqualTo(1);
            assertThat(b).isGreaterThan(a);
        } finally {
            callers.shutdownNow();
        }
        assertThat(BatonLocks.current()).as("nothing is left bound to this thread").isEmpty();
        assertThat(baton.leases()).as("every lease released").isEmpty();
        assertThat(LossWatch.watched()).as("no loss watch left behind").isZero();
    }

    @Test
    void waitForGivesUpWithTheHolderNamed() {
        try (FencedLease held = baton.mutex("orders/9").acquire(Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> orders.settleWithinASecond(order("9")))
                    .isInstanceOf(LockTimeoutException.class)
                    .satisfies(
                            e ->
                                    assertThat(((LockTimeoutException) e).waited())
                                            .isGreaterThanOrEqualTo(Duration.ofSeconds(1)));
        }
    }

    @Test
    void aNameThatEvaluatesInvalidFailsTheCallAndAcquiresNothing() {
        assertThatThrownBy(() -> orders.settle(order("a//b")))
                .isInstanceOf(InvalidNameException.class)
                .hasMessageContaining("orders/a//b");
        assertThatThrownBy(() -> orders.settle(null))
                .isInstanceOf(InvalidNameException.class)
                .hasMessageContaining("orders/#{#order.id}");
        assertThat(baton.leases()).isEmpty();
        assertThat(baton.locks("")).isEmpty();
    }

    @Test
    void reentrantOnTheSameThread() {
        assertThat(orders.nightly(orders)).isEqualTo("jobs/nightly");
        assertThat(baton.leases()).isEmpty();
    }

    @Test
    void aLostLeaseInterruptsTheMethodAndFailsTheCall() throws Exception {
        probe.proceed = new CountDownLatch(1); // never counted down: only an interrupt ends it
        CompletableFuture<Long> call =
                CompletableFuture.supplyAsync(() -> call(() -> orders.settle(order("lost"))));
        assertThat(probe.entered.await(10, TimeUnit.SECONDS)).isTrue();
        MemEngine.named(uri.substring("mem:".length())).expire(baton.clientId());
        assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(Failed.class)
                .cause()
                .isInstanceOf(LeaseLostException.class)
                .hasMessageContaining("orders/lost")
                .satisfies(
                        e ->
                                assertThat(e.getSuppressed())
                                        .as("the method's own failure is kept")
                                        .hasAtLeastOneElementOfType(InterruptedException.class));
    }

    private static Orders.Order order(String id) {
        return new Orders.Order(id);
    }

    @FunctionalInterface
    interface Call<T> {
        T run() throws Exception;
    }

    /** Carries a checked failure out of a supplier. */
    static final class Failed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failed(Throwable cause) {
            super(cause);
        }
    }

    private static <T> T call(Call<T> c) {
        try {
            return c.run();
        } catch (Exception e) {
            throw new Failed(e);
        }
    }

    // ---- declarations refused at startup ----

    public static class BadTemplate {
        @Locked("orders/#{#order.id")
        public void settle(Object order) {}
    }

    public static class BadLiteral {
        @Locked("orders//x")
        public void settle() {}
    }

    public static class SkipReturningInt {
        @Locked(name = "x", onBusy = OnBusy.SKIP)
        public int count() {
            return 1;
        }
    }

    public static class FinalMethod {
        @Locked("x")
        public final void run() {}
    }

    public static class AsyncMethod {
        @Locked("x")
        public java.util.concurrent.CompletableFuture<Void> run() {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
    }

    public static class BadWait {
        @Locked(name = "x", waitFor = "soon")
        public void run() {}
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class Broken {
        static Class<?> bean;

        @Bean
        Object broken() throws ReflectiveOperationException {
            return bean.getConstructor().newInstance();
        }
    }

    private static Throwable startupFailure(Class<?> bean) {
        Broken.bean = bean;
        Throwable t =
                org.assertj.core.api.Assertions.catchThrowable(
                        () -> Apps.start(Broken.class, "baton.connect=" + Apps.memUri()).close());
        assertThat(t).isInstanceOf(BeanCreationException.class);
        Throwable root = t;
        while (!(root instanceof InvalidLockedMethodException) && root.getCause() != null) {
            root = root.getCause();
        }
        assertThat(root).isInstanceOf(InvalidLockedMethodException.class);
        return root;
    }

    @Test
    void aTemplateThatDoesNotParseStopsStartupNamingMethodAndTemplate() {
        assertThat(startupFailure(BadTemplate.class))
                .hasMessageContaining("BadTemplate.settle")
                .hasMessageContaining("orders/#{#order.id")
                .hasMessageContaining("does not parse");
    }

    @Test
    void otherBrokenDeclarationsStopStartupToo() {
        assertThat(startupFailure(BadLiteral.class))
                .hasMessageContaining("BadLiteral.settle")
                .hasMessageContaining("orders//x");
        assertThat(startupFailure(SkipReturningInt.class))
                .hasMessageContaining("SkipReturningInt.count")
                .hasMessageContaining("int");
        assertThat(startupFailure(FinalMethod.class))
                .hasMessageContaining("FinalMethod.run")
                .hasMessageContaining("final");
        assertThat(startupFailure(AsyncMethod.class))
                .hasMessageContaining("AsyncMethod.run")
                .hasMessageContaining("CompletableFuture");
        assertThat(startupFailure(BadWait.class))
                .hasMessageContaining("BadWait.run")
                .hasMessageContaining("soon");
    }
}
