package dev.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.Baton;
import dev.baton.InvalidUriException;
import dev.baton.mem.MemBackendProvider;
import dev.baton.mem.MemEngine;
import org.junit.jupiter.api.Test;

class ConnectorTest {

    @Test
    void theMemProviderIsFoundByServiceLoader() {
        assertThat(Connector.providers()).containsKey("mem");
        assertThat(Connector.providers().get("mem")).isInstanceOf(MemBackendProvider.class);
    }

    @Test
    void anUnknownSchemeListsTheKnownOnes() {
        assertThatThrownBy(() -> Baton.connect("foo://somewhere"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("connection URI \"foo://somewhere\" is invalid")
                .hasMessageContaining("unknown scheme \"foo\"")
                .hasMessageContaining("known schemes: ")
                .hasMessageContaining("mem");
    }

    @Test
    void aKnownSchemeWithoutItsModuleNamesTheArtifactToAdd() {
        // Only baton-core is on this module's test class path: every other scheme is missing.
        assertThatThrownBy(() -> Baton.connect("embedded"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessage(
                        "connection URI \"embedded\" is invalid: scheme \"embedded\" needs the"
                                + " baton-zookeeper module on the classpath: add the dependency"
                                + " dev.baton:baton-zookeeper (at baton-core's version; the"
                                + " dev.baton:baton-bom aligns them)");
        assertThatThrownBy(() -> Baton.connect("zookeeper://127.0.0.1:2181"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("add the dependency dev.baton:baton-zookeeper ");
        assertThatThrownBy(() -> Baton.connect("redis://127.0.0.1:6379"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining(
                        "scheme \"redis\" needs the baton-redis module on the classpath")
                .hasMessageContaining("add the dependency dev.baton:baton-redis ");
        assertThatThrownBy(() -> Baton.connect("redlock://127.0.0.1:1,127.0.0.1:2,127.0.0.1:3"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("add the dependency dev.baton:baton-redis ");
        assertThatThrownBy(() -> Baton.connect("http://127.0.0.1:8080"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("add the dependency dev.baton:baton-http ");
        assertThatThrownBy(() -> Baton.connect("https://127.0.0.1:8443"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("add the dependency dev.baton:baton-http ");
    }

    @Test
    void aSchemeOfNoBatonModuleGetsNoArtifactHint() {
        // "rediss" looks like Redis but no module serves it: naming baton-redis would mislead.
        assertThatThrownBy(() -> Baton.connect("rediss://127.0.0.1:6379"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("unknown scheme \"rediss\"")
                .hasMessageNotContaining("add the dependency");
    }

    @Test
    void memUrisNameTheEngineAndRejectHostsAndParameters() {
        try (Baton a = Baton.connect("mem");
                Baton b = Baton.connect("mem:connector-test")) {
            assertThat(a.uri()).isEqualTo("mem");
            assertThat(MemEngine.defaultEngine().clients()).contains(a.clientId());
            assertThat(MemEngine.named("connector-test").clients()).containsExactly(b.clientId());
            assertThat(b.clientId()).startsWith(b.config().clientName() + "#");
        } finally {
            MemEngine.reset("connector-test");
        }
        assertThatThrownBy(() -> Baton.connect("mem://localhost"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("mem takes no host [localhost]");
        assertThatThrownBy(() -> Baton.connect("mem:x?ttl=5"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("mem takes no parameters, but got [ttl]");
        assertThatThrownBy(() -> Baton.connect("mem:a//b"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("segment 2 is empty");
    }
}
