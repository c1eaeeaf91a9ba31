package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class BatonConfigTest {

    @Test
    void defaults() {
        BatonConfig c = BatonConfig.defaults();
        assertThat(c.leaseTtl()).isEqualTo(BatonConfig.DEFAULT_LEASE_TTL);
        assertThat(c.safetyMargin()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.connectTimeout()).isEqualTo(BatonConfig.DEFAULT_CONNECT_TIMEOUT);
        assertThat(c.watchQueueCapacity()).isEqualTo(BatonConfig.DEFAULT_WATCH_QUEUE_CAPACITY);
        assertThat(c.namespace()).isEmpty();
        assertThat(c.callbackExecutor()).isEmpty();
        assertThat(c.clientName()).startsWith(ProcessHandle.current().pid() + "@");
    }

    @Test
    void theDefaultMarginIsATenthOfTheConfiguredTtl() {
        assertThat(BatonConfig.custom().leaseTtl(Duration.ofSeconds(30)).build().safetyMargin())
                .isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void valuesSetAreKept() {
        Executor direct = Runnable::run;
        Ticker ticker = () -> 42;
        BatonConfig c =
                BatonConfig.custom()
                        .leaseTtl(Duration.ofSeconds(8))
                        .safetyMargin(Duration.ofSeconds(2))
                        .connectTimeout(Duration.ofSeconds(3))
                        .clientName("svc-1@host")
                        .namespace("apps/baton")
                        .watchQueueCapacity(7)
                        .ticker(ticker)
                        .callbackExecutor(direct)
                        .build();
        assertThat(c.leaseTtl()).isEqualTo(Duration.ofSeconds(8));
        assertThat(c.safetyMargin()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.clientName()).isEqualTo("svc-1@host");
        assertThat(c.namespace()).contains("apps/baton");
        assertThat(c.watchQueueCapacity()).isEqualTo(7);
        assertThat(c.ticker()).isSameAs(ticker);
        assertThat(c.callbackExecutor()).containsSame(direct);
        assertThat(c.toString()).contains("leaseTtl=PT8S").contains("namespace=apps/baton");
    }

    @Test
    void badValuesAreRejectedWithRuleAndValue() {
        assertRejected(
                () -> BatonConfig.custom().leaseTtl(Duration.ofMillis(500)),
                "leaseTtl must be between 1s and 10m, but was PT0.5S");
        assertRejected(
                () -> BatonConfig.custom().leaseTtl(Duration.ofMinutes(11)),
                "leaseTtl must be between 1s and 10m, but was PT11M");
        assertRejected(
                () -> BatonConfig.custom().leaseTtl(null),
                "leaseTtl must be a positive duration, but was null");
        assertRejected(
                () -> BatonConfig.custom().leaseTtl(Duration.ofSeconds(-5)),
                "leaseTtl must be a positive duration, but was PT-5S");
        assertRejected(
                () -> BatonConfig.custom().safetyMargin(Duration.ZERO),
                "safetyMargin must be a positive duration, but was PT0S");
        assertRejected(
                () -> BatonConfig.custom().connectTimeout(Duration.ofSeconds(-1)),
                "connectTimeout must be a positive duration, but was PT-1S");
        assertRejected(
                () -> BatonConfig.custom().clientName("has space"),
                "clientName must be 1-64 characters of [A-Za-z0-9._@-], but was has space");
        assertRejected(
                () -> BatonConfig.custom().clientName(""), "clientName must be 1-64 characters");
        assertRejected(
                () -> BatonConfig.custom().clientName("x".repeat(65)),
                "clientName must be 1-64 characters");
        assertRejected(
                () -> BatonConfig.custom().watchQueueCapacity(0),
                "watchQueueCapacity must be between 1 and 1000000, but was 0");
        assertRejected(() -> BatonConfig.custom().watchQueueCapacity(1_000_001), "but was 1000001");
        assertThatThrownBy(() -> BatonConfig.custom().namespace("a//b"))
                .isInstanceOf(InvalidNameException.class)
                .hasMessageContaining("segment 2 is empty");
    }

    @Test
    void aMarginTooSmallToCoverTheDeadlineCheckIsRejected() {
        assertRejected(
                () ->
                        BatonConfig.custom()
                                .leaseTtl(Duration.ofSeconds(5))
                                .safetyMargin(Duration.ofNanos(1))
                                .build(),
                "safetyMargin must be at least 50 ms (1% of leaseTtl, and at least 10 ms), but was PT0.000000001S");
    }

    @Test
    void aMarginAboveHalfTheTtlIsRejectedAtBuild() {
        assertRejected(
                () ->
                        BatonConfig.custom()
                                .leaseTtl(Duration.ofSeconds(4))
                                .safetyMargin(Duration.ofMillis(2001))
                                .build(),
                "safetyMargin must be at most half of leaseTtl (PT4S), but was PT2.001S");
        assertThat(
                        BatonConfig.custom()
                                .leaseTtl(Duration.ofSeconds(4))
                                .safetyMargin(Duration.ofSeconds(2))
                                .build()
                                .safetyMargin())
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void settingAValueTwiceIsRejected() {
        assertRejected(
                () ->
                        BatonConfig.custom()
                                .leaseTtl(Duration.ofSeconds(5))
                                .leaseTtl(Duration.ofSeconds(6)),
                "leaseTtl was already set to PT5S");
        assertRejected(
                () -> BatonConfig.custom().watchQueueCapacity(3).watchQueueCapacity(4),
                "watchQueueCapacity was already set to 3");
        assertRejected(
                () -> BatonConfig.custom().clientName("a").clientName("b"),
                "clientName was already set to a");
    }

    @Test
    void toBuilderStartsFromAConfigAndMayOverrideIt() {
        BatonConfig base =
                BatonConfig.custom().leaseTtl(Duration.ofSeconds(9)).clientName("base").build();
        BatonConfig derived = base.toBuilder().watchQueueCapacity(4).clientName("derived").build();
        assertThat(derived.leaseTtl()).isEqualTo(Duration.ofSeconds(9));
        assertThat(derived.clientName()).isEqualTo("derived");
        assertThat(derived.watchQueueCapacity()).isEqualTo(4);
        assertThat(base.watchQueueCapacity()).isEqualTo(BatonConfig.DEFAULT_WATCH_QUEUE_CAPACITY);
    }

    /** Issue 10: the default margin of the old TTL (0.5 s) was kept and rejected for 1 min. */
    @Test
    void toBuilderWithLongerTtlDerivesTheMarginFromTheNewTtl() {
        BatonConfig longer =
                BatonConfig.defaults().toBuilder().leaseTtl(Duration.ofMinutes(1)).build();
        assertThat(longer.safetyMargin()).isEqualTo(Duration.ofSeconds(6));
        BatonConfig viaAnotherCopy =
                BatonConfig.defaults().toBuilder().watchQueueCapacity(3).build().toBuilder()
                        .leaseTtl(Duration.ofMinutes(1))
                        .build();
        assertThat(viaAnotherCopy.safetyMargin()).isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void toBuilderWithShorterTtlDerivesTheMarginFromTheNewTtl() {
        assertThat(
                        BatonConfig.defaults().toBuilder()
                                .leaseTtl(Duration.ofSeconds(2))
                                .build()
                                .safetyMargin())
                .isEqualTo(Duration.ofMillis(200));
        // The old TTL's derived margin (3 s) is more than half of the new TTL.
        BatonConfig base = BatonConfig.custom().leaseTtl(Duration.ofSeconds(30)).build();
        assertThat(base.toBuilder().leaseTtl(Duration.ofSeconds(5)).build().safetyMargin())
                .isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void anExplicitMarginSurvivesToBuilderAndIsValidatedAgainstTheNewTtl() {
        BatonConfig base =
                BatonConfig.custom()
                        .leaseTtl(Duration.ofSeconds(10))
                        .safetyMargin(Duration.ofSeconds(2))
                        .build();
        assertThat(base.toBuilder().leaseTtl(Duration.ofSeconds(30)).build().safetyMargin())
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(
                        base.toBuilder().watchQueueCapacity(3).build().toBuilder()
                                .leaseTtl(Duration.ofSeconds(30))
                                .build()
                                .safetyMargin())
                .isEqualTo(Duration.ofSeconds(2));
        assertRejected(
                () -> base.toBuilder().leaseTtl(Duration.ofSeconds(3)).build(),
                "safetyMargin must be at most half of leaseTtl (PT3S), but was PT2S");
        BatonConfig small =
                BatonConfig.custom()
                        .leaseTtl(Duration.ofSeconds(5))
                        .safetyMargin(Duration.ofMillis(100))
                        .build();
        assertRejected(
                () -> small.toBuilder().leaseTtl(Duration.ofMinutes(10)).build(),
                "safetyMargin must be at least 6000 ms (1% of leaseTtl, and at least 10 ms), but was PT0.1S");
        assertThat(
                        base.toBuilder()
                                .leaseTtl(Duration.ofSeconds(3))
                                .safetyMargin(Duration.ofSeconds(1))
                                .build()
                                .safetyMargin())
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void toBuilderLeavesADerivedClientNameToBeDerivedAgain() {
        BatonConfig.Builder copy = BatonConfig.defaults().toBuilder();
        assertThat(copy.clientNameSet()).isFalse();
        assertThat(copy.build().clientName()).isEqualTo(BatonConfig.defaults().clientName());
        BatonConfig named = BatonConfig.custom().clientName("svc-1").build();
        assertThat(named.toBuilder().clientNameSet()).isTrue();
        assertThat(named.toBuilder().leaseTtl(Duration.ofSeconds(9)).build().clientName())
                .isEqualTo("svc-1");
    }

    private static void assertRejected(Runnable r, String message) {
        assertThatThrownBy(r::run)
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(message);
    }
}
