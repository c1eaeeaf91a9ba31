package dev.baton.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;

/**
 * Why {@code @Locked} runs outside {@code @Transactional}: 1,000 concurrent read-increment-write
 * operations on a real PostgreSQL table (started on a free port) end exact, while the same code
 * with the advice order inverted, the lock released before the commit, loses updates: the next
 * holder reads the row before the previous holder's write is committed (READ COMMITTED, the
 * default).
 */
@ExtendWith(OutputCaptureExtension.class)
class LockedTransactionTest {
    private static final int THREADS = 8;
    private static final int OPERATIONS = 1_000;

    private static EmbeddedPostgres postgres;

    /** The code under test: the same in both applications. */
    public static class Counter {
        private final JdbcTemplate jdbc;

        public Counter(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        @Locked("counters/#{#id}")
        @Transactional
        public void increment(String id) {
            Integer value =
                    jdbc.queryForObject(
                            "select value from counter where id = ?", Integer.class, id);
            jdbc.update("update counter set value = ? where id = ?", value + 1, id);
        }

        public int value(String id) {
            return jdbc.queryForObject("select value from counter where id = ?", Integer.class, id);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class LockOutside {
        @Bean
        Counter counter(JdbcTemplate jdbc) {
            return new Counter(jdbc);
        }
    }

    /** The inverted order: transactions outermost, so the lock is released before the commit. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @EnableTransactionManagement(order = Ordered.HIGHEST_PRECEDENCE, proxyTargetClass = true)
    static class LockInside {
        @Bean
        Counter counter(JdbcTemplate jdbc) {
            return new Counter(jdbc);
        }
    }

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.start(); // a free port, a fresh data directory
        try (var c = postgres.getPostgresDatabase().getConnection();
                var s = c.createStatement()) {
            s.execute("create table counter (id text primary key, value int not null)");
        }
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    private static int run(Class<?> app, String id) throws Exception {
        try (ConfigurableApplicationContext context =
                Apps.startWithDatabase(
                        app,
                        "baton.connect=" + Apps.memUri(),
                        "spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                        "spring.datasource.hikari.maximum-pool-size=" + (THREADS + 2))) {
            Counter counter = context.getBean(Counter.class);
            context.getBean(JdbcTemplate.class)
                    .update("insert into counter (id, value) values (?, 0)", id);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < OPERATIONS; i++) {
                    done.add(pool.submit(() -> counter.increment(id)));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            return counter.value(id);
        }
    }

    @Test
    void lockedOutsideTheTransactionLosesNoUpdate(CapturedOutput output) throws Exception {
        assertThat(run(LockOutside.class, "outside")).isEqualTo(OPERATIONS);
        assertThat(output.getOut()).doesNotContain("runs outside @Locked");
    }

    @Test
    void theSameCodeWithTheLockInsideTheTransactionLosesUpdates(CapturedOutput output)
            throws Exception {
        int inside = run(LockInside.class, "inside");
        System.out.println("inverted order ended at " + inside + " of " + OPERATIONS);
        assertThat(inside)
                .as("the control: releasing before the commit reopens the race")
                .isLessThan(OPERATIONS);
        assertThat(output.getOut())
                .as("the application is warned at startup")
                .contains(
                        "@Transactional (order "
                                + Ordered.HIGHEST_PRECEDENCE
                                + ") runs outside @Locked");
    }
}
