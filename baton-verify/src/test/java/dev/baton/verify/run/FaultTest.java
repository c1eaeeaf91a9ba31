package dev.baton.verify.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.InvalidArgumentException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FaultTest {

    @Test
    void allMeansEveryFaultThatAppliesToTheBackend() {
        assertThat(Fault.parse("all", "redis"))
                .contains(Fault.PAUSE, Fault.RESTART)
                .doesNotContain(Fault.RESTART_LEADER, Fault.PARTITION);
        assertThat(Fault.parse("all", "zookeeper"))
                .contains(Fault.PARTITION, Fault.RESTART_LEADER)
                .doesNotContain(Fault.RESTART);
        assertThat(Fault.parse("none", "redis")).isEmpty();
        assertThat(Fault.parse("pause, kill,pause", "redlock"))
                .containsExactly(Fault.PAUSE, Fault.KILL);
    }

    @Test
    void anUnknownFaultIsNamedWithTheChoices() {
        assertThatThrownBy(() -> Fault.parse("pause,meteor", "redis"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("meteor")
                .hasMessageContaining("blackhole");
    }

    @Test
    void aFaultOfAnotherBackendIsRefused() {
        assertThatThrownBy(() -> Fault.parse("restart-leader", "redis"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("restart-leader")
                .hasMessageContaining("--backend redis");
    }

    @Test
    void optionsAreValidatedBeforeAnythingStarts() {
        assertThatThrownBy(() -> options("etcd", 5, Duration.ofSeconds(10), Duration.ofSeconds(2)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("--backend")
                .hasMessageContaining("etcd");
        assertThatThrownBy(() -> options("redis", 0, Duration.ofSeconds(10), Duration.ofSeconds(2)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("--clients");
        assertThatThrownBy(() -> options("redis", 5, Duration.ZERO, Duration.ofSeconds(2)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("--duration");
        assertThatThrownBy(
                        () -> options("redis", 5, Duration.ofSeconds(10), Duration.ofMillis(100)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("--ttl");
    }

    private static VerifyOptions options(String backend, int clients, Duration d, Duration ttl) {
        return new VerifyOptions(
                backend, Optional.empty(), clients, d, ttl, List.of(), 1, true, Path.of("x"), "");
    }
}
